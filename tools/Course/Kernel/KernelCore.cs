using System.Text.Json.Nodes;
using Course.Notebooks;
using Queue = System.Threading.Channels.Channel;

namespace Course.Kernel;

/// <summary>Where the kernel's messages go: the sockets in the real kernel, a list in the tests.</summary>
public interface IKernelTransport
{
    /// <summary>Sends a message on a channel; callable from any thread.</summary>
    void Send(Channel channel, JupyterMessage message);
}

/// <summary>
/// The kernel's behaviour, apart from its sockets: it answers the Jupyter
/// messages (messaging 5.3, "Messages on the shell (ROUTER/DEALER) channel"
/// and "… control …") by running cells on the same <see cref="NotebookEngine"/>
/// as <c>./course notebooks run</c>, and publishes status and outputs on IOPub.
/// Shell requests run one at a time, in order; control requests (interrupt,
/// shutdown) are answered at once, even while a cell runs.
/// </summary>
public sealed class KernelCore : IDisposable
{
    private readonly NotebookEngine _engine;
    private readonly IKernelTransport _transport;
    private readonly Action<string> _log;
    private readonly Func<string, Task<ErrorOutput?>> _prepareCell;
    private readonly System.Threading.Channels.Channel<JupyterMessage> _shell = Queue.CreateUnbounded<JupyterMessage>(new() { SingleReader = true });
    private readonly TaskCompletionSource<bool> _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StreamBatcher _streams;
    private volatile JupyterMessage? _outputParent;
    private volatile CancellationTokenSource? _execution; // the execute request being handled, to interrupt it
    private volatile bool _silent;
    private int _executionCount;

    /// <param name="prepareCell">Runs before a cell (the kernel builds the labs it references); an error stops the cell.</param>
    public KernelCore(NotebookEngine engine, IKernelTransport transport, Action<string> log, Func<string, Task<ErrorOutput?>>? prepareCell = null)
    {
        _engine = engine;
        _transport = transport;
        _log = log;
        _prepareCell = prepareCell ?? (_ => Task.FromResult<ErrorOutput?>(null));
        _streams = new StreamBatcher((name, text, parent) => Publish("stream", new JsonObject { ["name"] = name, ["text"] = text }, parent));
        _engine.OutputProduced += OnOutput;
    }

    /// <summary>The session id in every message the kernel sends.</summary>
    public string Session { get; } = Guid.NewGuid().ToString("N");

    /// <summary>Completes when a shutdown was requested; true when the client will restart the kernel.</summary>
    public Task<bool> ShutdownRequested => _shutdown.Task;

    /// <summary>Announces the kernel (status: starting), as the protocol suggests.</summary>
    public void Start() => Publish("status", new JsonObject { ["execution_state"] = "starting" }, null);

    /// <summary>Queues a shell request; <see cref="RunShellAsync"/> handles it in turn.</summary>
    public void EnqueueShell(JupyterMessage request) => _shell.Writer.TryWrite(request);

    /// <summary>Handles shell requests one at a time until cancelled.</summary>
    public async Task RunShellAsync(CancellationToken stop)
    {
        var reader = _shell.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop))
            {
                while (reader.TryRead(out var request))
                {
                    if (await HandleSafelyAsync(request))
                    {
                        // stop_on_error: the cells queued behind a failed one are aborted, not run,
                        // as a notebook's "run all" stops at the first error.
                        while (reader.TryRead(out var queued))
                        {
                            if (queued.Type == "execute_request")
                                Abort(queued);
                            else
                                await HandleSafelyAsync(queued);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One shell request; a failure inside the kernel is logged, and the loop goes on.</summary>
    private async Task<bool> HandleSafelyAsync(JupyterMessage request)
    {
        try
        {
            return await HandleShellAsync(request);
        }
        catch (Exception e)
        {
            _log($"{request.Type} failed inside the kernel: {e}");
            return false;
        }
    }

    /// <summary>
    /// Stops the cell being executed, if any: its build, or its run. Safe from any
    /// thread and never blocks: the engine runs the cell's own callbacks elsewhere.
    /// </summary>
    public bool InterruptExecution()
    {
        if (_execution is not { } execution)
            return false;
        execution.Cancel();
        return true;
    }

    /// <summary>Handles a control request at once (on the caller's thread).</summary>
    public void HandleControl(JupyterMessage request)
    {
        switch (request.Type)
        {
            case "kernel_info_request":
                Busy(request, () => Reply(request, KernelInfo()));
                break;
            case "interrupt_request":
                Busy(request, () =>
                {
                    var interrupted = InterruptExecution();
                    _log(interrupted ? "interrupt: the running cell was asked to stop" : "interrupt: no cell was running");
                    Reply(request, Ok());
                });
                break;
            case "shutdown_request":
                Shutdown(request);
                break;
            default:
                _log($"ignored a control message of unknown type '{request.Type}'");
                break;
        }
    }

    /// <summary>One shell request; true when it was a cell that failed and asked to stop on error.</summary>
    private async Task<bool> HandleShellAsync(JupyterMessage request)
    {
        switch (request.Type)
        {
            case "execute_request":
                Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
                var failed = false;
                try
                {
                    failed = await ExecuteAsync(request) && request.ContentFlag("stop_on_error", true);
                }
                catch (Exception e)
                {
                    _log($"execute_request failed inside the kernel: {e}");
                    Reply(request, Error(e));
                    failed = true;
                }
                Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
                return failed;
            case "kernel_info_request":
                Busy(request, () => Reply(request, KernelInfo()));
                break;
            case "is_complete_request":
                Busy(request, () =>
                {
                    var answer = CodeAssistant.IsComplete(request.ContentText("code"));
                    var content = new JsonObject { ["status"] = answer.Status };
                    if (answer.Status == "incomplete")
                        content["indent"] = answer.Indent;
                    Reply(request, content);
                });
                break;
            case "complete_request":
                Busy(request, () => Reply(request, Complete(request)));
                break;
            case "inspect_request":
                Busy(request, () => Reply(request, Inspect(request)));
                break;
            case "history_request":
                Busy(request, () => Reply(request, Ok(new JsonObject { ["history"] = new JsonArray() })));
                break;
            case "comm_info_request":
                Busy(request, () => Reply(request, Ok(new JsonObject { ["comms"] = new JsonObject() })));
                break;
            case "comm_open":
                // No comm targets here (no widgets): close it, so the front end stops waiting.
                Publish("comm_close", new JsonObject { ["comm_id"] = request.ContentText("comm_id"), ["data"] = new JsonObject() }, request);
                break;
            case "comm_msg" or "comm_close":
                break;
            case "shutdown_request":
                Shutdown(request);
                break;
            default:
                _log($"ignored a shell message of unknown type '{request.Type}'");
                break;
        }
        return false;
    }

    /// <summary>Runs a cell; true when it failed.</summary>
    private async Task<bool> ExecuteAsync(JupyterMessage request)
    {
        var code = request.ContentText("code");
        var silent = request.ContentFlag("silent", false);
        if (!silent && request.ContentFlag("store_history", true))
            _executionCount++;
        var count = _executionCount;
        // A silent request (a front end asking something for itself) shows nothing; output
        // that comes later, from a server an earlier cell started, still goes to that cell.
        _silent = silent;
        if (!silent)
        {
            _outputParent = request;
            Publish("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, request);
        }

        // Not disposed: an interrupt may still cancel it just after the cell ends (it holds no timer).
        var execution = new CancellationTokenSource();
        _execution = execution;
        ErrorOutput? error;
        try
        {
            if (await _prepareCell(code) is { } problem)
            {
                OnOutput(problem);
                error = problem;
            }
            else
            {
                // An interrupt during the build above stops the cell before it runs.
                error = (await _engine.ExecuteAsync(code, $"cell [{count}]", execution.Token)).Error;
            }
        }
        finally
        {
            _execution = null;
        }
        _streams.Flush();
        _silent = false;

        var reply = error is null
            ? Ok(new JsonObject { ["execution_count"] = count, ["user_expressions"] = new JsonObject(), ["payload"] = new JsonArray() })
            : ErrorReply(error, count);
        Reply(request, reply);
        return error is not null;
    }

    /// <summary>A cell's output, as it happens (also later, from a server the cell started), goes to IOPub.</summary>
    private void OnOutput(CellOutput output)
    {
        if (_silent)
            return;
        var parent = _outputParent;
        if (output is StreamOutput stream)
        {
            _streams.Write(stream.Name, stream.Text, parent);
            return;
        }
        _streams.Flush();
        switch (output)
        {
            case DisplayOutput display:
                Publish("display_data", new JsonObject { ["data"] = Data(display.Data), ["metadata"] = new JsonObject(), ["transient"] = new JsonObject() }, parent);
                break;
            case ExecuteResultOutput result:
                Publish("execute_result", new JsonObject { ["execution_count"] = _executionCount, ["data"] = Data(result.Data), ["metadata"] = new JsonObject() }, parent);
                break;
            case ErrorOutput error:
                Publish("error", ErrorFields(error), parent);
                break;
        }
    }

    private JsonObject Complete(JupyterMessage request)
    {
        var code = request.ContentText("code");
        var cursor = CodePoints.ToUtf16Index(code, request.ContentNumber("cursor_pos", code.Length));
        var completions = CodeAssistant.Complete(_engine, code, cursor);
        var (start, end) = (CodePoints.FromUtf16Index(code, completions.Start), CodePoints.FromUtf16Index(code, completions.End));
        var types = new JsonArray(completions.Items.Select(i => (JsonNode)new JsonObject
        {
            ["start"] = start, ["end"] = end, ["text"] = i.Text, ["type"] = i.Kind,
        }).ToArray());
        return Ok(new JsonObject
        {
            ["matches"] = new JsonArray(completions.Items.Select(i => (JsonNode)JsonValue.Create(i.Text)).ToArray()),
            ["cursor_start"] = start,
            ["cursor_end"] = end,
            ["metadata"] = new JsonObject { ["_jupyter_types_experimental"] = types },
        });
    }

    private JsonObject Inspect(JupyterMessage request)
    {
        var code = request.ContentText("code");
        var text = CodeAssistant.Inspect(_engine, code, CodePoints.ToUtf16Index(code, request.ContentNumber("cursor_pos", code.Length)));
        return Ok(new JsonObject
        {
            ["found"] = text is not null,
            ["data"] = text is null ? new JsonObject() : new JsonObject { ["text/plain"] = text },
            ["metadata"] = new JsonObject(),
        });
    }

    private void Shutdown(JupyterMessage request)
    {
        var restart = request.ContentFlag("restart", false);
        InterruptExecution();
        Busy(request, () => Reply(request, Ok(new JsonObject { ["restart"] = restart })));
        _log(restart ? "shutdown requested (the client will start a new kernel)" : "shutdown requested");
        _shutdown.TrySetResult(restart);
    }

    /// <summary>An execute request queued behind a failed cell: not run (status "aborted").</summary>
    private void Abort(JupyterMessage request)
    {
        Busy(request, () => Reply(request, new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount }));
    }

    /// <summary>Status busy, the work, then status idle: how a client knows its request was handled.</summary>
    private void Busy(JupyterMessage request, Action work)
    {
        Publish("status", new JsonObject { ["execution_state"] = "busy" }, request);
        try
        {
            work();
        }
        catch (Exception e)
        {
            // Never crash on a request: log it and answer with an error reply.
            _log($"{request.Type} failed inside the kernel: {e}");
            Reply(request, Error(e));
        }
        Publish("status", new JsonObject { ["execution_state"] = "idle" }, request);
    }

    private JsonObject KernelInfo() => Ok(new JsonObject
    {
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "socket-websocket-lab",
        ["implementation_version"] = typeof(KernelCore).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "csharp",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"C# on .NET {Environment.Version} — the Socket → WebSocket Lab kernel (Roslyn scripting; the engine of ./course notebooks run)",
        ["help_links"] = new JsonArray(),
        ["debugger"] = false,
    });

    /// <summary>A reply goes back on the channel its request came from, to the request's sender.</summary>
    private void Reply(JupyterMessage request, JsonObject content) =>
        _transport.Send(request.Channel, request.Reply(content, Session));

    private void Publish(string type, JsonObject content, JupyterMessage? parent) =>
        _transport.Send(Channel.IOPub, JupyterMessage.Create(type, content, Session, parent));

    private static JsonObject Ok(JsonObject? fields = null)
    {
        var content = new JsonObject { ["status"] = "ok" };
        foreach (var (name, value) in fields ?? [])
            content[name] = value?.DeepClone();
        return content;
    }

    /// <summary>ename, evalue and traceback: the content of an "error" output message.</summary>
    private static JsonObject ErrorFields(ErrorOutput error) => new()
    {
        ["ename"] = error.EName,
        ["evalue"] = error.EValue,
        ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode)JsonValue.Create(l)).ToArray()),
    };

    /// <summary>A reply with status "error": the error's fields, and the cell's count for an execute_reply.</summary>
    private static JsonObject ErrorReply(ErrorOutput error, int? executionCount = null)
    {
        var content = ErrorFields(error);
        content["status"] = "error";
        if (executionCount is { } count)
            content["execution_count"] = count;
        return content;
    }

    private static JsonObject Error(Exception e) => ErrorReply(ErrorOutput.Of(e.GetType().Name, e.Message));

    private static JsonObject Data(IReadOnlyDictionary<string, string> data)
    {
        var obj = new JsonObject();
        foreach (var (mime, content) in data)
            obj[mime] = content;
        return obj;
    }

    public void Dispose()
    {
        _engine.OutputProduced -= OnOutput;
        _streams.Dispose();
    }
}
