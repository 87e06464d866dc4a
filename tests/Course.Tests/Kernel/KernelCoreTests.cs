using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Course.Kernel;
using Course.Notebooks;

namespace Course.Tests.Kernel;

/// <summary>
/// The kernel's behaviour without sockets: messages in, messages out (a
/// recording transport), on a real engine. The order of IOPub messages,
/// stop-on-error, unknown and failing requests.
/// </summary>
[Collection(NotebookCollection.Name)] // the engine captures the console
public sealed class KernelCoreTests : IDisposable
{
    private readonly Recorder _sent = new();
    private readonly ConcurrentQueue<string> _log = new();
    private readonly NotebookEngine _engine = new(new EngineOptions(TestRepo.Samples) { CellTimeout = TimeSpan.FromSeconds(30) });
    private readonly KernelCore _core;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _shell;

    private readonly TaskCompletionSource _buildGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _holdBuilds;

    public KernelCoreTests()
    {
        // prepareCell stands for the kernel's lab build; a test can hold it to interrupt "during the build".
        _core = new KernelCore(_engine, _sent, _log.Enqueue, async _ =>
        {
            if (_holdBuilds)
                await _buildGate.Task;
            return null;
        });
        _shell = _core.RunShellAsync(_stop.Token);
    }

    private static JupyterMessage Request(string type, JsonObject content, Channel channel = Channel.Shell) =>
        JupyterMessage.Create(type, content, "client", identities: [[7]]) with { Channel = channel };

    private static JupyterMessage Execute(string code) => Request("execute_request", new JsonObject { ["code"] = code });

    /// <summary>Sends a shell request and waits (bounded) for its reply and its status idle.</summary>
    private async Task<(JupyterMessage Reply, List<JupyterMessage> IOPub)> RoundTrip(JupyterMessage request)
    {
        _core.EnqueueShell(request);
        return await _sent.ReplyAndIdle(request);
    }

    /// <summary>Starts a cell and waits (bounded) for its first output: it is running.</summary>
    private async Task<JupyterMessage> StartUntilOutput(string code)
    {
        var cell = Execute(code);
        _core.EnqueueShell(cell);
        await Eventually.TrueAsync(() => _sent.Sent.Any(s => s.Message.Type == "stream"), 10.Seconds(), "the cell's first output");
        return cell;
    }

    [Fact]
    public async Task Execute_publishes_busy_input_outputs_idle_in_order_and_replies_ok()
    {
        var (reply, iopub) = await RoundTrip(Execute("Console.WriteLine(\"hi\");\n6 * 7"));
        reply.Type.ShouldBe("execute_reply");
        reply.Content["status"]!.GetValue<string>().ShouldBe("ok");
        reply.Content["execution_count"]!.GetValue<int>().ShouldBe(1);
        string.Join(' ', iopub.Select(m => m.Type)).ShouldBe("status execute_input stream execute_result status");
        iopub.ShouldAllBe(m => m.ParentHeader["msg_id"]!.GetValue<string>() == reply.ParentHeader["msg_id"]!.GetValue<string>());
        _sent.Sent.Single(s => s.Message == reply).Channel.ShouldBe(Channel.Shell);
    }

    [Fact]
    public async Task A_silent_execute_publishes_no_output_and_does_not_count()
    {
        var silent = Request("execute_request", new JsonObject { ["code"] = "Console.WriteLine(\"quiet\"); 1", ["silent"] = true });
        var (reply, iopub) = await RoundTrip(silent);
        reply.Content["status"]!.GetValue<string>().ShouldBe("ok");
        string.Join(' ', iopub.Select(m => m.Type)).ShouldBe("status status");
        (await RoundTrip(Execute("2"))).Reply.Content["execution_count"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task After_a_failed_cell_the_queued_cells_are_aborted_not_run()
    {
        var failing = Execute("await Task.Delay(300);\nthrow new Exception(\"stop here\");");
        var queued = Execute("Console.WriteLine(\"must not run\");");
        _core.EnqueueShell(failing);
        _core.EnqueueShell(queued);
        (await _sent.ReplyAndIdle(failing)).Reply.Content["status"]!.GetValue<string>().ShouldBe("error");
        var (reply, iopub) = await _sent.ReplyAndIdle(queued);
        reply.Content["status"]!.GetValue<string>().ShouldBe("aborted");
        iopub.ShouldNotContain(m => m.Type == "stream");
    }

    [Fact]
    public async Task Interrupt_on_control_is_answered_while_a_cell_runs_and_the_cell_fails_as_interrupted()
    {
        var forever = await StartUntilOutput("Console.WriteLine(\"running\");\nawait Task.Delay(Timeout.Infinite);");
        var interrupt = Request("interrupt_request", [], Channel.Control);
        _core.HandleControl(interrupt);
        var interruptReply = _sent.Sent.Single(s => s.Message.Type == "interrupt_reply");
        interruptReply.Channel.ShouldBe(Channel.Control, "a control request is answered on control");
        var (reply, _) = await _sent.ReplyAndIdle(forever);
        reply.Content["ename"]!.GetValue<string>().ShouldBe("Interrupted");
        _log.ShouldContain("interrupt: the running cell was asked to stop");
    }

    [Fact]
    public async Task An_interrupt_while_the_lab_builds_stops_the_cell_before_it_runs()
    {
        _holdBuilds = true;
        var cell = Execute("Console.WriteLine(\"must not run\");");
        _core.EnqueueShell(cell);
        await Eventually.TrueAsync(() => _sent.Sent.Any(s => s.Message.Type == "execute_input"), 10.Seconds(), "the cell to start (its build is held)");
        _core.HandleControl(Request("interrupt_request", [], Channel.Control));
        _buildGate.SetResult();
        var (reply, iopub) = await _sent.ReplyAndIdle(cell);
        reply.Content["ename"]!.GetValue<string>().ShouldBe("Interrupted");
        reply.Content["evalue"]!.GetValue<string>().ShouldStartWith("The cell was interrupted before it ran.");
        iopub.ShouldNotContain(m => m.Type == "stream");
    }

    [Fact]
    public async Task Interrupt_returns_at_once_even_when_the_cells_cancellation_callback_blocks()
    {
        // The callback runs on the thread pool, not on the thread that handles control (the socket poller).
        var cell = await StartUntilOutput("CellCancellation.Register(() => Thread.Sleep(3000));\nConsole.WriteLine(\"registered\");\nawait Task.Delay(Timeout.Infinite, CellCancellation);");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _core.HandleControl(Request("interrupt_request", [], Channel.Control));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "handling interrupt_request must not wait for the cell's callbacks");
        _sent.Sent.ShouldContain(s => s.Message.Type == "interrupt_reply");
        (await _sent.ReplyAndIdle(cell)).Reply.Content["ename"]!.GetValue<string>().ShouldBe("Interrupted");
    }

    [Fact]
    public async Task Shutdown_replies_and_completes_ShutdownRequested_with_the_restart_flag()
    {
        _core.HandleControl(Request("shutdown_request", new JsonObject { ["restart"] = true }, Channel.Control));
        (await _core.ShutdownRequested.Within(5.Seconds(), "ShutdownRequested")).ShouldBeTrue();
        _sent.Sent.Single(s => s.Message.Type == "shutdown_reply").Message.Content["restart"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task An_unknown_message_type_is_logged_and_ignored_and_the_kernel_keeps_serving()
    {
        _core.EnqueueShell(Request("frobnicate_request", []));
        _core.HandleControl(Request("frobnicate_request", [], Channel.Control));
        var (reply, _) = await RoundTrip(Request("kernel_info_request", []));
        reply.Content["status"]!.GetValue<string>().ShouldBe("ok");
        _log.ShouldContain("ignored a shell message of unknown type 'frobnicate_request'");
        _log.ShouldContain("ignored a control message of unknown type 'frobnicate_request'");
        _sent.Sent.ShouldNotContain(s => s.Message.Type.StartsWith("frobnicate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_fields_in_a_request_get_an_answer_not_a_crash()
    {
        // cursor_pos is a string, code is a number: the kernel falls back to defaults.
        var (reply, _) = await RoundTrip(Request("complete_request", new JsonObject { ["code"] = 42, ["cursor_pos"] = "x" }));
        reply.Content["status"]!.GetValue<string>().ShouldBe("ok");
        var (execute, _) = await RoundTrip(Request("execute_request", new JsonObject { ["silent"] = "maybe" }));
        execute.Content["status"]!.GetValue<string>().ShouldBe("ok", "no code is an empty cell");
    }

    [Fact]
    public async Task A_comm_open_is_closed_since_the_kernel_has_no_comm_targets()
    {
        _core.EnqueueShell(Request("comm_open", new JsonObject { ["comm_id"] = "c1", ["target_name"] = "jupyter.widget" }));
        await Eventually.TrueAsync(() => _sent.Sent.Any(s => s.Message.Type == "comm_close"), 5.Seconds(), "comm_close on IOPub");
        _sent.Sent.Single(s => s.Message.Type == "comm_close").Message.Content["comm_id"]!.GetValue<string>().ShouldBe("c1");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _shell.Wait(TimeSpan.FromSeconds(5));
        _core.Dispose();
        _engine.Dispose();
    }

    /// <summary>A transport that records what the kernel sends.</summary>
    private sealed class Recorder : IKernelTransport
    {
        private readonly ConcurrentQueue<(Channel Channel, JupyterMessage Message)> _sent = new();

        public IReadOnlyList<(Channel Channel, JupyterMessage Message)> Sent => _sent.ToList();

        public void Send(Channel channel, JupyterMessage message) => _sent.Enqueue((channel, message));

        public async Task<(JupyterMessage Reply, List<JupyterMessage> IOPub)> ReplyAndIdle(JupyterMessage request)
        {
            bool ForRequest(JupyterMessage m) => m.ParentHeader["msg_id"]?.GetValue<string>() == request.Id;
            await Eventually.TrueAsync(
                () => Sent.Any(s => ForRequest(s.Message) && s.Message.Type.EndsWith("_reply", StringComparison.Ordinal))
                      && Sent.Any(s => ForRequest(s.Message) && s.Message.Type == "status" && s.Message.Content["execution_state"]!.GetValue<string>() == "idle"),
                15.Seconds(), $"the reply to {request.Type} and status idle",
                () => string.Join("\n", Sent.Select(s => $"{s.Channel}: {s.Message.Type} {s.Message.Content.ToJsonString()}")));
            var mine = Sent.Where(s => ForRequest(s.Message)).ToList();
            return (mine.Single(s => s.Message.Type.EndsWith("_reply", StringComparison.Ordinal)).Message,
                mine.Where(s => s.Channel == Channel.IOPub).Select(s => s.Message).ToList());
        }
    }
}
