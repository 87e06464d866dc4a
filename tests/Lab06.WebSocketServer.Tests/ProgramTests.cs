using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The server as a learner runs it: `dotnet run --project ... -- --port N`,
/// a process that logs a line per connection and, on SIGTERM (or Ctrl+C),
/// closes every connection with 1001 and exits 0 (notebook 06 §8).
/// </summary>
public sealed partial class ProgramTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(20);

    [SkippableFact, Graded(2)]
    public async Task Sigterm_closes_every_connection_with_1001_and_the_process_exits_0()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "SIGTERM is a Unix signal.");
        await using var server = await ServerProcess.StartAsync("--shutdown-timeout", "3", "--keepalive-interval", "0");
        var clients = new List<ClientWebSocket>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var client = new ClientWebSocket();
                clients.Add(client);
                await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/echo"), CancellationToken.None)
                    .Within(Loopback.DefaultBound, $"client {i + 1}'s handshake with the server process", server.Output);
            }
            await server.WaitForLineAsync(line => line.Contains("(2 open)"), "the log line of the second connection opened");

            server.Terminate();

            foreach (var (client, i) in clients.Select((c, i) => (c, i)))
            {
                var buffer = new byte[256];
                var result = await client.ReceiveAsync(buffer, CancellationToken.None)
                    .Within(TimeSpan.FromSeconds(5), $"client {i + 1}'s close frame after SIGTERM", server.Output);
                Check.Equal(result.MessageType, WebSocketMessageType.Close, $"Step 13: client {i + 1}'s first message after SIGTERM",
                    $"On SIGTERM the server sends a close frame to every connection (notebook 06 §8).\n{server.Output()}");
                Check.Equal(client.CloseStatus, WebSocketCloseStatus.EndpointUnavailable, $"Step 13: the close code client {i + 1} got",
                    $"A server going away closes with 1001 Going Away (RFC 6455 §7.4.1, notebook 06 §8).\n{server.Output()}");
                await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None)
                    .Within(Loopback.DefaultBound, $"client {i + 1}'s answering close", server.Output);
            }
            int exit = await server.WaitForExitAsync(TimeSpan.FromSeconds(10));
            Check.Equal(exit, 0, "The exit code after SIGTERM", $"After a graceful shutdown the process exits with 0.\n{server.Output()}");
            var closes = server.Lines.Count(line => Regex.IsMatch(line, @"/echo: closed, 1001\b"));
            Check.Equal(closes, 2, "Log lines \"/echo: closed, 1001 ...\"", $"The server logs one line per connection closed, with its code.\n{server.Output()}");
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    [Fact]
    public async Task Help_lists_every_limit_as_an_option()
    {
        var (exit, output) = await ServerProcess.RunToEndAsync("--help");
        Check.Equal(exit, 0, "The exit code of --help", output);
        foreach (var option in new[] { "--port", "--max-message-size", "--max-fragments", "--max-connections", "--max-buffered", "--max-head-size",
                     "--handshake-timeout", "--idle-timeout", "--keepalive-interval", "--keepalive-timeout", "--close-timeout", "--break-accept" })
            Check.True(output.Contains(option), $"--help lists {option}", output);
    }

    [Fact]
    public async Task Each_connection_gets_a_log_line_with_its_id_remote_end_code_and_reason()
    {
        await using var server = await ServerProcess.StartAsync("--keepalive-interval", "0");
        using (var client = new ClientWebSocket())
        {
            await client.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/echo"), CancellationToken.None)
                .Within(Loopback.DefaultBound, "the handshake with the server process", server.Output);
            await client.CloseAsync((WebSocketCloseStatus)4000, "bye", CancellationToken.None)
                .Within(Loopback.DefaultBound, "the closing handshake", server.Output);
        }
        var line = await server.WaitForLineAsync(l => l.Contains("closed"), "the log line of the connection closed");
        Check.True(ClosedLine().IsMatch(line), "The log line of a closed connection",
            $"Expected a line like \"3f2a9c1d 127.0.0.1:50312 /echo: closed, 4000 ... \"bye\", clean, closed by the peer\"; got:\n{line}");
    }

    [GeneratedRegex(@"^\S+ [0-9a-f]{8} 127\.0\.0\.1:\d+ /echo: closed, 4000 .*""bye"", clean, closed by the peer")]
    private static partial Regex ClosedLine();

    /// <summary>The Lab 06 program in a process of its own (the DLL beside the tests), killed by PID when a test ends.</summary>
    private sealed class ServerProcess : IAsyncDisposable
    {
        private readonly Process process;
        private readonly LineLog log = new("server output");

        private ServerProcess(Process process)
        {
            this.process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Add(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Add("stderr: " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public int Port { get; private set; }

        public IReadOnlyList<string> Lines => log.Lines;

        public string Output() => log.Describe();

        private static ProcessStartInfo StartInfo(string[] arguments)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(typeof(WebSocketServer).Assembly.Location);
            foreach (var argument in arguments)
                info.ArgumentList.Add(argument);
            info.Environment["DOTNET_NOLOGO"] = "1";
            return info;
        }

        public static async Task<ServerProcess> StartAsync(params string[] arguments)
        {
            var server = new ServerProcess(Process.Start(StartInfo(["--port", "0", .. arguments]))!);
            try
            {
                var listening = await server.WaitForLineAsync(line => line.Contains("listening on http://"), "the line \"listening on http://...\"", Startup);
                server.Port = int.Parse(Regex.Match(listening, @"http://[^/]+:(\d+)/").Groups[1].Value);
                return server;
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }

        public static async Task<(int Exit, string Output)> RunToEndAsync(params string[] arguments)
        {
            await using var server = new ServerProcess(Process.Start(StartInfo(arguments))!);
            int exit = await server.WaitForExitAsync(Startup);
            return (exit, string.Join('\n', server.Lines));
        }

        public Task<string> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan? bound = null) =>
            log.WaitForAsync(match, bound ?? Loopback.DefaultBound, what);

        /// <summary>SIGTERM, as `kill PID` or a container's stop sends it.</summary>
        public void Terminate()
        {
            if (Kill(process.Id, 15) != 0)
                throw new InvalidOperationException($"kill({process.Id}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}.");
        }

        public async Task<int> WaitForExitAsync(TimeSpan bound)
        {
            await process.WaitForExitAsync().Within(bound, "the server process to exit", Output);
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

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
