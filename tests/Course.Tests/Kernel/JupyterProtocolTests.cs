using System.Text.Json.Nodes;

namespace Course.Tests.Kernel;

/// <summary>One course kernel for the tests of a class, started by jupyter_client.</summary>
public sealed class KernelFixture : IAsyncLifetime
{
    private JupyterDriver? _driver;

    public JupyterDriver Driver => _driver ?? throw new InvalidOperationException(JupyterDriver.InstallHint);

    public async Task InitializeAsync()
    {
        if (JupyterDriver.Python is not null)
            _driver = await JupyterDriver.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_driver is not null)
            await _driver.DisposeAsync();
    }
}

/// <summary>
/// The kernel speaks the Jupyter messaging protocol (5.3) to jupyter_client,
/// a client the course did not write: kernel_info, execution with state,
/// streamed output, errors, interrupt, is_complete, complete, inspect,
/// signatures, shutdown.
/// </summary>
public class JupyterProtocolTests(KernelFixture kernel) : IClassFixture<KernelFixture>
{
    private JupyterDriver Driver
    {
        get
        {
            JupyterDriver.SkipUnlessAvailable();
            return kernel.Driver;
        }
    }

    [SkippableFact]
    public async Task Kernel_info_names_protocol_5_3_and_the_CSharp_language()
    {
        var answer = KernelExchange.From(await Driver.SendAsync(new JsonObject { ["op"] = "kernel_info" }), Driver.Log);
        var info = answer.ReplyContent;
        info["status"]!.GetValue<string>().ShouldBe("ok");
        info["protocol_version"]!.GetValue<string>().ShouldBe("5.3");
        info["language_info"]!["name"]!.GetValue<string>().ShouldBe("csharp");
        info["language_info"]!["file_extension"]!.GetValue<string>().ShouldBe(".cs");
        answer.Types.ShouldBe("status status", "kernel_info: status busy, then idle, on IOPub");
    }

    [SkippableFact]
    public async Task State_is_kept_across_cells_and_the_last_value_is_the_execute_result()
    {
        (await Driver.ExecuteAsync("var answerBase = 40;")).Status.ShouldBe("ok");
        var result = await Driver.ExecuteAsync("answerBase + 2");
        result.Status.ShouldBe("ok");
        result.Types.ShouldBe("status execute_input execute_result status", result.Describe());
        var data = result.Of("execute_result").Single()["data"]!;
        data["text/plain"]!.GetValue<string>().ShouldBe("42");
        result.ReplyContent["execution_count"]!.GetValue<int>().ShouldBe(result.Of("execute_input").Single()["execution_count"]!.GetValue<int>());
    }

    [SkippableFact]
    public async Task Stdout_is_streamed_while_the_cell_runs_not_only_at_its_end()
    {
        var result = await Driver.ExecuteAsync("Console.WriteLine(\"first\");\nawait Task.Delay(3000);\nConsole.WriteLine(\"second\");");
        result.Status.ShouldBe("ok");
        result.Stdout.ShouldBe("first\nsecond\n");
        var streams = result.IOPub.Where(m => m["msg_type"]!.GetValue<string>() == "stream").ToList();
        var first = streams.First(m => m["content"]!["text"]!.GetValue<string>().Contains("first"));
        var idle = result.IOPub.Last();
        (idle["t"]!.GetValue<double>() - first["t"]!.GetValue<double>()).ShouldBeGreaterThan(2.0,
            "'first' should reach the client about 3 s before the cell ends (stream output is flushed while a cell runs)");
    }

    [SkippableFact]
    public async Task A_compile_error_is_an_error_reply_naming_the_line_and_column()
    {
        var result = await Driver.ExecuteAsync("var fine = 1;\nvar broken = ;");
        result.Status.ShouldBe("error");
        result.ReplyContent["ename"]!.GetValue<string>().ShouldBe("CompilationError");
        result.ReplyContent["evalue"]!.GetValue<string>().ShouldStartWith("(2,14): error CS1525");
        result.Of("error").ShouldHaveSingleItem()["traceback"]!.AsArray().ShouldNotBeEmpty();
    }

    [SkippableFact]
    public async Task An_exception_is_an_error_reply_whose_traceback_points_at_the_cell_line()
    {
        var result = await Driver.ExecuteAsync("var ok = 1;\nthrow new InvalidOperationException(\"boom\");");
        result.Status.ShouldBe("error");
        (result.ReplyContent["ename"]!.GetValue<string>(), result.ReplyContent["evalue"]!.GetValue<string>()).ShouldBe(("InvalidOperationException", "boom"));
        var count = result.ReplyContent["execution_count"]!.GetValue<int>();
        var traceback = result.Of("error").Single()["traceback"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        traceback.ShouldContain(l => l.Contains($"in cell [{count}]:line 2"), string.Join("\n", traceback));
    }

    [SkippableFact]
    public async Task Interrupt_stops_a_cell_awaiting_forever_and_the_kernel_keeps_its_state()
    {
        (await Driver.ExecuteAsync("var beforeInterrupt = \"kept\";")).Status.ShouldBe("ok");
        var pending = await Driver.SendAsync(new JsonObject
        {
            ["op"] = "execute_until_output", ["code"] = "Console.WriteLine(\"serving\");\nawait Task.Delay(Timeout.Infinite);", ["text"] = "serving",
        });
        pending["seen"]!.GetValue<bool>().ShouldBeTrue($"the cell should print 'serving' before it waits forever.\n{Driver.Log}");
        await Driver.SendAsync(new JsonObject { ["op"] = "interrupt" });
        var interrupted = KernelExchange.From(await Driver.SendAsync(new JsonObject { ["op"] = "collect", ["msg_id"] = pending["msg_id"]!.DeepClone(), ["timeout"] = 15 }), Driver.Log);
        interrupted.TimedOut.ShouldBeFalse($"the interrupted cell should reply and go idle.\n{interrupted.Describe()}\n{Driver.Log}");
        interrupted.Status.ShouldBe("error");
        interrupted.ReplyContent["ename"]!.GetValue<string>().ShouldBe("Interrupted");

        var after = await Driver.ExecuteAsync("beforeInterrupt");
        after.Status.ShouldBe("ok", after.Describe());
        after.Of("execute_result").Single()["data"]!["text/plain"]!.GetValue<string>().ShouldBe("kept");
    }

    [SkippableTheory]
    [InlineData("if (true) {", "incomplete")]
    [InlineData("void F() {\n  Console.WriteLine(1);", "incomplete")]
    [InlineData("Console.WriteLine(1);", "complete")]
    [InlineData("var x = 1 +;", "invalid")]
    public async Task Is_complete_says_an_open_brace_is_incomplete(string code, string expected)
    {
        var answer = KernelExchange.From(await Driver.SendAsync(new JsonObject { ["op"] = "is_complete", ["code"] = code }), Driver.Log);
        answer.ReplyContent["status"]!.GetValue<string>().ShouldBe(expected, code);
        if (expected == "incomplete")
            answer.ReplyContent["indent"]!.GetValue<string>().ShouldBe("    ");
    }

    [SkippableFact]
    public async Task Complete_offers_members_of_a_type_and_of_a_variable_from_an_earlier_cell()
    {
        (await Driver.ExecuteAsync("var greeting = \"hello\";")).Status.ShouldBe("ok");
        var statics = await Complete("Console.Wri");
        statics.matches.ShouldBe(["Write", "WriteLine"]);
        (statics.start, statics.end).ShouldBe((8, 11));

        var members = await Complete("greeting.ToUpp");
        members.matches.ShouldContain("ToUpper");
        members.matches.ShouldContain("ToUpperInvariant");
        members.matches.ShouldNotContain("Format", "static members do not complete after an instance");

        (await Complete("greet")).matches.ShouldContain("greeting");
    }

    [SkippableFact]
    public async Task Inspect_shows_the_signature_of_the_name_at_the_cursor()
    {
        var answer = KernelExchange.From(await Driver.SendAsync(new JsonObject { ["op"] = "inspect", ["code"] = "Math.Max(1, 2)", ["cursor_pos"] = 6 }), Driver.Log);
        answer.ReplyContent["found"]!.GetValue<bool>().ShouldBeTrue();
        answer.ReplyContent["data"]!["text/plain"]!.GetValue<string>().ShouldStartWith("(method) int Math.Max(int val1, int val2) (+");
    }

    [SkippableFact]
    public async Task A_message_signed_with_the_wrong_key_is_ignored_and_the_kernel_keeps_serving()
    {
        var forged = KernelExchange.From(await Driver.SendAsync(new JsonObject
        {
            ["op"] = "execute_signed_with_wrong_key", ["code"] = "var forged = 666;", ["timeout"] = 2,
        }), Driver.Log);
        forged.Reply.ShouldBeNull("a wrongly signed request must get no reply");
        forged.IOPub.ShouldBeEmpty("a wrongly signed request must not run (no status busy, no output)");
        Driver.Log.ShouldContain("dropped a message on shell: bad signature");

        var after = await Driver.ExecuteAsync("forged");
        after.Status.ShouldBe("error", "the forged cell never ran, so 'forged' does not exist");
        after.ReplyContent["evalue"]!.GetValue<string>().ShouldContain("The name 'forged' does not exist");
    }

    [SkippableFact]
    public async Task HTML_and_PNG_are_sent_as_display_data_with_their_mime_types()
    {
        var result = await Driver.ExecuteAsync("display(HTML(\"<b>bold</b>\"));");
        result.Status.ShouldBe("ok");
        var data = result.Of("display_data").Single()["data"]!;
        data["text/html"]!.GetValue<string>().ShouldBe("<b>bold</b>");
        data["text/plain"].ShouldNotBeNull();
    }

    private async Task<(List<string> matches, int start, int end)> Complete(string code)
    {
        var answer = KernelExchange.From(await Driver.SendAsync(new JsonObject { ["op"] = "complete", ["code"] = code, ["cursor_pos"] = code.Length }), Driver.Log);
        var content = answer.ReplyContent;
        content["status"]!.GetValue<string>().ShouldBe("ok");
        return (content["matches"]!.AsArray().Select(m => m!.GetValue<string>()).ToList(),
            content["cursor_start"]!.GetValue<int>(), content["cursor_end"]!.GetValue<int>());
    }
}

/// <summary>Shutdown and restart (kernels of their own, not the shared one).</summary>
public class JupyterShutdownTests
{
    [SkippableFact]
    public async Task Restart_gives_a_fresh_kernel_without_the_old_state()
    {
        JupyterDriver.SkipUnlessAvailable();
        await using var driver = await JupyterDriver.StartAsync();
        (await driver.ExecuteAsync("var beforeRestart = 1;")).Status.ShouldBe("ok");
        var restarted = await driver.SendAsync(new JsonObject { ["op"] = "restart", ["timeout"] = 40 }, TimeSpan.FromSeconds(50));
        restarted["alive"]!.GetValue<bool>().ShouldBeTrue(driver.Log);
        var after = await driver.ExecuteAsync("beforeRestart");
        after.Status.ShouldBe("error", "a restarted kernel starts with no state");
        after.ReplyContent["execution_count"]!.GetValue<int>().ShouldBe(1, "and counts cells from 1 again");
    }

    [SkippableFact]
    public async Task A_shutdown_request_ends_the_kernel_process()
    {
        JupyterDriver.SkipUnlessAvailable();
        await using var driver = await JupyterDriver.StartAsync();
        (await driver.ExecuteAsync("1 + 1")).Status.ShouldBe("ok");
        var answer = await driver.SendAsync(new JsonObject { ["op"] = "shutdown", ["timeout"] = 10 });
        answer["alive"]!.GetValue<bool>().ShouldBeFalse($"the kernel should exit by itself within 10 s of shutdown_request.\n{driver.Log}");
        driver.Log.ShouldContain("shutdown requested");
    }
}
