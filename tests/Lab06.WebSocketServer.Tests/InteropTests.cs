using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Clients this course did not write against the whole server's /echo
/// (notebook 06 §10): .NET's <see cref="ClientWebSocket"/> and
/// python-websockets, every length form (7-, 16- and 64-bit), 16 MiB,
/// fragments, pings, and closes started by either side.
/// </summary>
public sealed class InteropTests
{
    private const string Read = "Notebook 06 §10 (interop); RFC 6455 §5.2 (lengths), §5.4 (fragments), §5.5.2-§5.5.3 (ping, pong), §7 (closing)";

    private static readonly int[] Sizes = [0, 125, 126, 65535, 65536];

    [Fact, Graded(2, Hint = Read)]
    public async Task ClientWebSocket_gets_text_and_binary_back_at_every_length_form()
    {
        await using var server = TestServer.Start();
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        foreach (var type in new[] { WebSocketMessageType.Text, WebSocketMessageType.Binary })
        {
            foreach (int size in Sizes)
            {
                var data = type == WebSocketMessageType.Text ? Encoding.UTF8.GetBytes(Patterns.Text(size)) : Patterns.Bytes(size, seed: size);
                await DotnetWs.EchoAsync(ws, type, data, server.Context, "steps 8 and 9");
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task ClientWebSocket_gets_16_MiB_back_when_MaxMessageLength_allows_it()
    {
        const int size = 16 * 1024 * 1024;
        await using var server = TestServer.Start(new ServerOptions
        {
            WebSocket = WebSocketOptions.Default with { Limits = new FrameLimits { MaxMessageLength = size + 1024, MaxFragments = 256 } },
        });
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await DotnetWs.EchoAsync(ws, WebSocketMessageType.Binary, Patterns.Bytes(size, seed: 16), server.Context, "steps 8 and 9", TimeSpan.FromSeconds(15));
        await DotnetWs.EchoAsync(ws, WebSocketMessageType.Text, Encoding.UTF8.GetBytes(Patterns.Text(size)), server.Context, "steps 8 and 9", TimeSpan.FromSeconds(15));
        // The same 16 MiB in 256 fragments of 64 KiB (§5.4): MaxFragments 256 lets them in.
        var data = Patterns.Bytes(size, seed: 17);
        for (int i = 0; i < 256; i++)
            await ws.SendAsync(data.AsMemory(i * 65536, 65536), WebSocketMessageType.Binary, i == 255, default).Within(Loopback.DefaultBound, $"ClientWebSocket to send fragment {i + 1} of 256");
        var (type, echo) = await DotnetWs.ReceiveAsync(ws, "steps 8 and 9: the echo of 16 MiB sent in 256 fragments", server.Context, TimeSpan.FromSeconds(15));
        Check.True(type == WebSocketMessageType.Binary && echo.AsSpan().SequenceEqual(data),
            $"steps 8 and 9: 16 MiB in 256 fragments: expected the same {size} bytes back as one binary message, got {type} with {echo.Length} bytes", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_fragmented_message_from_ClientWebSocket_comes_back_whole()
    {
        await using var server = TestServer.Start();
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        foreach (var piece in new[] { "Hello, ", "fragmented ", "wörld" })
            await ws.SendAsync(Encoding.UTF8.GetBytes(piece), WebSocketMessageType.Text, piece == "wörld", default).Within(Loopback.DefaultBound, "ClientWebSocket to send a fragment");
        var (type, echo) = await DotnetWs.ReceiveAsync(ws, "step 8: the echo of a text message sent in 3 fragments", server.Context);
        Check.True(type == WebSocketMessageType.Text && Encoding.UTF8.GetString(echo) == "Hello, fragmented wörld",
            $"step 8: a text message in 3 fragments: expected \"Hello, fragmented wörld\" back, got {type} {Visible.Quoted(echo, 60)}", Read + ". The handler gets the message once, its fragments joined.");

        // 300 binary fragments of 1 byte each, with an empty last one.
        for (int i = 0; i < 300; i++)
            await ws.SendAsync(new[] { (byte)i }, WebSocketMessageType.Binary, false, default).Within(Loopback.DefaultBound, "ClientWebSocket to send a fragment");
        await ws.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Binary, true, default).Within(Loopback.DefaultBound, "ClientWebSocket to send the last fragment");
        var (type2, echo2) = await DotnetWs.ReceiveAsync(ws, "step 8: the echo of a binary message sent in 301 fragments", server.Context);
        Check.True(type2 == WebSocketMessageType.Binary && echo2.AsSpan().SequenceEqual(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray()),
            $"step 8: a binary message in 301 fragments: expected its 300 bytes back, got {type2} with {echo2.Length} bytes", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task ClientWebSocket_keepalive_pings_are_answered()
    {
        await using var server = TestServer.Start();
        // With a KeepAliveTimeout, .NET sends pings (not unsolicited pongs) and aborts if no pong comes in time.
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context, o =>
        {
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(100);
            o.KeepAliveTimeout = TimeSpan.FromSeconds(2);
        });
        var receive = DotnetWs.ReceiveAsync(ws, "steps 2 and 8: the echo after 1 s of keepalive pings", server.Context);
        await Task.Delay(1000);
        Check.Equal(ws.State, WebSocketState.Open, "steps 2 and 8: ClientWebSocket's State after 1 s of pings every 100 ms",
            Read + ". .NET aborts when a ping's pong does not come within KeepAliveTimeout: the server must answer each ping with a pong carrying its payload.");
        await ws.SendAsync(Encoding.UTF8.GetBytes("still here"), WebSocketMessageType.Text, true, default).Within(Loopback.DefaultBound, "ClientWebSocket to send");
        var (_, echo) = await receive;
        Check.Equal(Encoding.UTF8.GetString(echo), "still here", "steps 2 and 8: the echo after the pings", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_started_by_ClientWebSocket_is_answered_and_clean()
    {
        await using var server = TestServer.Start();
        var closed = new TaskCompletionSource<ConnectionClosed>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Server.Connections.Closed += (_, how) => closed.TrySetResult(how);
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", default).Within(Loopback.DefaultBound, "step 10: ClientWebSocket's CloseAsync (the server must answer its close frame)", server.Context);
        Check.Equal(ws.State, WebSocketState.Closed, "step 10: ClientWebSocket's State after CloseAsync", Read);
        Check.Equal(ws.CloseStatus, WebSocketCloseStatus.NormalClosure, "step 10: the code of the server's answering close", Read + ". Echo the code (§5.5.1).");
        var how = await closed.Task.Within(Loopback.DefaultBound, "step 10: the connection to leave the pool", server.Context);
        Check.Equal((how.Code, how.Reason, how.WasClean, how.By), (1000, "bye", true, ClosedBy.Peer), "step 10: how the server saw the end (code, reason, clean, by)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_started_by_the_server_reaches_ClientWebSocket()
    {
        await using var server = TestServer.Start();
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 1, Loopback.DefaultBound, "the connection in the pool", server.Context);
        var connection = server.Server.Connections.Connections.Single();
        var closing = connection.CloseAsync(CloseCode.PolicyViolation, "server says bye");
        var result = await ws.ReceiveAsync(new byte[64], default).Within(Loopback.DefaultBound, "step 10: ClientWebSocket to receive the server's close", server.Context);
        Check.Equal(result.MessageType, WebSocketMessageType.Close, "step 10: what ClientWebSocket received after CloseAsync", Read);
        Check.Equal((ws.CloseStatus, ws.CloseStatusDescription), (WebSocketCloseStatus.PolicyViolation, "server says bye"), "step 10: the close ClientWebSocket received", Read);
        await ws.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "", default).Within(Loopback.DefaultBound, "ClientWebSocket to answer the close");
        var how = await closing.Within(TimeSpan.FromSeconds(3), "step 10: CloseAsync to complete after ClientWebSocket answered", server.Context);
        Check.Equal((how.Code, how.WasClean, how.By), (1008, true, ClosedBy.Local), "step 10: CloseAsync's result (code, clean, by)", Read);
    }

    [SkippableFact]
    public async Task Python_websockets_echoes_every_length_a_ping_fragments_and_a_clean_close()
    {
        PythonWebsockets.SkipUnlessAvailable();
        await using var server = TestServer.Start(new ServerOptions
        {
            WebSocket = WebSocketOptions.Default with { Limits = new FrameLimits { MaxMessageLength = 17_000_000 } },
        });
        var (exit, output) = await PythonWebsockets.RunAsync(PythonWebsockets.Script("echo_client.py"), server.Ws("/echo").ToString(), TimeSpan.FromSeconds(40));
        Check.True(exit == 0, $"python-websockets' checks against /echo failed (exit status {exit}):\n{output}",
            $"{Read}. Run it by hand: /usr/bin/python3 {PythonWebsockets.Script("echo_client.py")} ws://127.0.0.1:PORT/echo against `dotnet run --project labs/Lab06.WebSocketServer -- --port PORT --max-message-size 17000000`.\n{server.Context()}");
    }
}

/// <summary>Helpers for .NET's WebSocket as a peer: connect (bounded, no proxy) and receive a whole message (bounded).</summary>
internal static class DotnetWs
{
    /// <summary>Opens a ClientWebSocket to <paramref name="uri"/>; a refusal fails with the HTTP status and the server's log.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, Func<string>? context = null, Action<ClientWebSocketOptions>? configure = null, string? subprotocol = null)
    {
        var ws = new ClientWebSocket();
        ws.Options.Proxy = null; // straight to loopback, whatever HTTP_PROXY says
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        ws.Options.CollectHttpResponseDetails = true;
        if (subprotocol is not null)
            ws.Options.AddSubProtocol(subprotocol);
        configure?.Invoke(ws.Options);
        try
        {
            await Bounded.RunAsync(Loopback.DefaultBound, $"ClientWebSocket to connect to {uri}", ct => ws.ConnectAsync(uri, ct), context);
        }
        catch (WebSocketException e)
        {
            var status = (int)ws.HttpStatusCode;
            ws.Dispose();
            Check.Fail($"ClientWebSocket could not connect to {uri}: {e.Message} (HTTP status {status})",
                $"The handshake must succeed first (Lab 04, and step 13 passes it on to the endpoints). {context?.Invoke()}");
        }
        return ws;
    }

    /// <summary>Receives one whole message (its frames joined), within the bound. A close frame comes back as type Close with no data.</summary>
    public static Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync(WebSocket ws, string what, Func<string>? context = null, TimeSpan? bound = null) =>
        Bounded.RunAsync(bound ?? Loopback.DefaultBound, what, async ct =>
        {
            var data = new MemoryStream();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                WebSocketReceiveResult result;
                try
                {
                    result = await ws.ReceiveAsync(buffer, ct);
                }
                catch (WebSocketException e) when (!ct.IsCancellationRequested)
                {
                    Check.Fail($"Waiting for {what}: .NET's WebSocket failed after {data.Length} bytes of the message: {e.Message}", context?.Invoke() ?? "");
                    throw; // not reached
                }
                if (result.MessageType == WebSocketMessageType.Close)
                    return (WebSocketMessageType.Close, Array.Empty<byte>());
                data.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                    return (result.MessageType, data.ToArray());
            }
        }, context);

    /// <summary>Sends one message and checks that the same type and bytes come back.</summary>
    public static async Task EchoAsync(WebSocket ws, WebSocketMessageType type, byte[] data, Func<string>? context, string steps, TimeSpan? bound = null)
    {
        string what = $"a {(type == WebSocketMessageType.Text ? "text" : "binary")} message of {data.Length} bytes";
        await ws.SendAsync(data, type, true, default).Within(bound ?? Loopback.DefaultBound, $"ClientWebSocket to send {what}", context);
        var (gotType, got) = await ReceiveAsync(ws, $"{steps}: the echo of {what}", context, bound);
        Check.Equal(gotType, type, $"{steps}: the type of the echo of {what}", "Notebook 06 §10; RFC 6455 §5.6. /echo sends text back as text and binary as binary.");
        if (!got.AsSpan().SequenceEqual(data))
        {
            int at = 0;
            while (at < Math.Min(got.Length, data.Length) && got[at] == data[at])
                at++;
            Check.Fail($"{steps}: the echo of {what} differs: {got.Length} bytes came, first difference at byte {at}",
                "Notebook 06 §10; RFC 6455 §5.2 (the length field: 7 bits up to 125, 16 bits up to 65535, 64 bits past it).");
        }
    }
}

/// <summary>
/// python-websockets for /usr/bin/python3 (Debian's python3-websockets):
/// the system Python, not a pyenv one that happens to be first on PATH.
/// </summary>
internal static class PythonWebsockets
{
    public const string Python = "/usr/bin/python3";

    /// <summary>The path of a script in tests/Lab06.WebSocketServer.Tests/python/ (found next to this source file).</summary>
    public static string Script(string name, [CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(Snapshot.ResolveSourceFile(source))!, "python", name);

    /// <summary>Skips (with how to install it) when python-websockets is missing, except with CI=true, where the test must run, and fails.</summary>
    public static void SkipUnlessAvailable()
    {
        if (WhyUnavailable() is not { } why)
            return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"CI=true, so this interop test must run, not skip, and it cannot: {why} (.ci/run installs python3-websockets.)");
        Skip.If(true, $"python-websockets is not available: {why} To run this test: sudo apt-get install python3-websockets");
    }

    private static string? WhyUnavailable()
    {
        if (!File.Exists(Python))
            return $"{Python} does not exist.";
        try
        {
            var (exit, output) = RunAsync("-c", "import websockets", TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            return exit == 0 ? null : $"{Python} cannot import websockets: {output.Trim()}";
        }
        catch (Exception e)
        {
            return $"{Python} did not run: {e.Message}";
        }
    }

    /// <summary>Runs /usr/bin/python3 with <paramref name="script"/> and <paramref name="argument"/>, bounded; on timeout the process is killed and the output so far is in the message.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string script, string argument, TimeSpan bound)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(argument);
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
                throw new TimeoutException($"{Python} {script} did not finish within {Durations.Describe(bound)}; its output so far:\n{output}");
        }
        process.WaitForExit(); // flushes the output events
        lock (output)
            return (process.ExitCode, output.ToString());
    }
}
