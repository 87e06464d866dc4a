using System.Diagnostics;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The echo command as a conformance suite runs it (notebook 07 §7): a
/// process, <c>dotnet Lab07.WebSocketClient.dll echo URL</c>, against a
/// scripted server. It sends every message back with its type, offers no
/// subprotocol and no extension, and says how it ended in its exit code:
/// 0 after a clean close, 1 after a failed connection, 2 when none opened.
/// </summary>
public class EchoProcessTests
{
    private const string Hint = "Lab 07 · step 8 (EchoCommand.RunAsync): await foreach over ReceiveAllAsync, SendAsync each message back; Completion's WasClean → 0 or 1; a WebSocketFailedException → log it, 1. Notebook 07 §7.";
    private const string Step = "step 8 (EchoCommand.RunAsync)";
    private const string Read = "Notebook 07 §7 (the echo command and its exit codes)";
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(20); // process start on a loaded machine, then the connection

    [Fact, Graded(2, Hint = Hint)]
    public async Task Echo_sends_text_and_binary_back_with_their_types_and_exits_0_after_the_servers_close()
    {
        var seen = new List<string>();
        string? protocol = "(request not read)", extensions = "(request not read)";
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync(ExitBound);
            (protocol, extensions) = (c.Header("Sec-WebSocket-Protocol"), c.Header("Sec-WebSocket-Extensions"));
            await c.AcceptAsync();
            await c.SendTextAsync("Hello, échø");
            var text = await c.ReadMessageAsync("the echo of text \"Hello, échø\"", Faults.Bound);
            seen.Add($"{(text.Opcode == 1 ? "text" : "binary")} {text.Text}");
            await c.SendFrameAsync(0x82, [0x00, 0xff, 0x10]);
            var binary = await c.ReadMessageAsync("the echo of binary 00 ff 10", Faults.Bound);
            seen.Add($"{(binary.Opcode == 1 ? "text" : "binary")} {Convert.ToHexString(binary.Payload)}");
            await c.SendCloseAsync(1000, "done");
            var close = await c.ReadFrameAsync("the echo's answer to close 1000", Faults.Bound);
            seen.Add($"close {close.CloseCode}");
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
        }, TimeSpan.FromSeconds(40));
        await using var echo = EchoProcess.Start(server.Url("/echo"));
        int exit = await echo.WaitForExitAsync(ExitBound);
        await ConnectedAsync(server, echo, exit);
        string story = $"The server sent text \"Hello, échø\", binary 00ff10, then close 1000 \"done\"; it got back: {string.Join("; ", seen)}.\n{echo.Output()}";
        Check.Equal(string.Join("; ", seen), "text Hello, échø; binary 00FF10; close 1000", $"{Step}: what the echo sent back", $"The same type and the same bytes for each message, then the answer to the close. {story}");
        Check.Equal(exit, 0, $"{Step}: the exit code after the server's clean close", $"{Read}: 0 when the closing handshake completed cleanly. {story}");
        Check.True(echo.Lines.Any(l => l.Contains("text, 13 bytes: \"Hello, échø\"", StringComparison.Ordinal)) && echo.Lines.Any(l => l.Contains("binary, 3 bytes: 00 ff 10", StringComparison.Ordinal)),
            $"{Step}: the echo should print each message with EchoCommand.Describe (text, 13 bytes: \"Hello, échø\" and binary, 3 bytes: 00 ff 10)", story);
        Check.Equal(protocol, null, $"{Step}: Sec-WebSocket-Protocol in the echo's request", $"The echo offers no subprotocol (notebook 07 §7). {story}");
        Check.Equal(extensions, null, $"{Step}: Sec-WebSocket-Extensions in the echo's request", $"The client offers no extension. {story}");
    }

    [Fact, Graded(1, Hint = Hint)]
    public async Task Echo_exits_1_after_a_protocol_violation_and_says_why()
    {
        ClientFrame? close = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Frame(0x83, "reserved opcode"));
            close = await c.ReadFrameAsync("the echo's close frame after a reserved opcode", Faults.Bound);
            await c.WaitForCloseAsync(Faults.Bound);
        }, TimeSpan.FromSeconds(40));
        await using var echo = EchoProcess.Start(server.Url("/echo"));
        int exit = await echo.WaitForExitAsync(ExitBound);
        await ConnectedAsync(server, echo, exit);
        string story = $"The server sent a frame with opcode 3; the echo answered {close?.ToString() ?? "nothing"}.\n{echo.Output()}";
        Check.Equal(close?.CloseCode, (int?)1002, $"{Step}: the code of the echo's close frame", $"RFC 6455 §5.2: a reserved opcode fails the connection with 1002. {story}");
        Check.Equal(exit, 1, $"{Step}: the exit code after a protocol violation", $"{Read}: 1 when the connection opened and then failed. {story}");
        Check.True(echo.Lines.Any(l => l.StartsWith("stderr:", StringComparison.Ordinal) && l.Contains("1002", StringComparison.Ordinal)),
            $"{Step}: standard error should say why, with the code 1002 (log failed.Error.Message)", story);
    }

    [Fact, Graded(1, Hint = "Lab 07 · steps 1 and 4 (the URL, then RunAsync: a refused handshake fails ConnectAsync); EchoCommand reports it and returns 2. Notebook 07 §7.")]
    public async Task Echo_exits_2_after_a_refused_handshake_and_says_why()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync(ExitBound);
            await c.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\ngo away!");
            await c.WaitForCloseAsync(Faults.Bound);
        }, TimeSpan.FromSeconds(40));
        await using var echo = EchoProcess.Start(server.Url("/echo"));
        int exit = await echo.WaitForExitAsync(ExitBound);
        await ConnectedAsync(server, echo, exit);
        Check.Equal(exit, 2, "step 4: the echo's exit code after a 403", $"{Read}: 2 when no connection opened.\n{echo.Output()}");
        Check.True(echo.Lines.Any(l => l.StartsWith("stderr:", StringComparison.Ordinal) && l.Contains("403", StringComparison.Ordinal)),
            "step 4: standard error should say why the connection was refused (the status 403)", echo.Output());
    }

    /// <summary>The process has exited: it must have connected (else fail at once, with its output), and the script's own checks must have passed.</summary>
    private static async Task ConnectedAsync(ScriptedServer server, EchoProcess echo, int exit)
    {
        Check.True(server.Accepted > 0, $"{Step}: the echo process exited with {exit} without connecting to {server.Url("/echo")}", $"{Read}.\n{echo.Output()}");
        await Faults.ScriptsDoneAsync(server, null, Step, $"{Read}.\n{echo.Output()}");
    }

    /// <summary>The echo command in a process of its own (the DLL beside the tests), killed by its PID if it outlives the test.</summary>
    private sealed class EchoProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly LineLog log = new("the echo process's output");

        private EchoProcess(Process process)
        {
            this.process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Add(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Add("stderr: " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public IReadOnlyList<string> Lines => log.Lines;

        public string Output() => $"Command: dotnet {Path.GetFileName(typeof(WebSocketClient).Assembly.Location)} {string.Join(' ', process.StartInfo.ArgumentList.Skip(1))}\n{log.Describe()}";

        public static EchoProcess Start(string url)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(typeof(WebSocketClient).Assembly.Location);
            foreach (var argument in new[] { "echo", url, "--connect-timeout", "10", "--close-timeout", "3" })
                info.ArgumentList.Add(argument);
            info.Environment["DOTNET_NOLOGO"] = "1";
            return new EchoProcess(Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start."));
        }

        public async Task<int> WaitForExitAsync(TimeSpan bound)
        {
            await process.WaitForExitAsync().Within(bound, "the echo process to exit", Output);
            process.WaitForExit(); // flush the redirected output
            return process.ExitCode;
        }

        public ValueTask DisposeAsync()
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
            process.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
