using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The whole server (notebook 06 §8-§9; step 13): the page and the
/// WebSocket endpoints on one port, 503 past MaxConnections before any
/// upgrade, graceful shutdown with 1001, the handshake and idle timeouts,
/// a broken Sec-WebSocket-Accept on request, and a handler that throws.
/// </summary>
public sealed class ServerTests
{
    private const string Limits = "Notebook 06 §8 (limits, 503 and graceful shutdown); RFC 9110 §15.6.4 (503) and §10.2.3 (Retry-After); RFC 6455 §4.2.2 and §7.4.1 (1001)";
    private const string Failing = "Notebook 06 §5 (failing a connection, close codes); RFC 6455 §7.1.7 and §7.4.1 (1011)";

    private static string Handshake(string path, string key) =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /// <summary>The test's own Sec-WebSocket-Accept (RFC 6455 §4.2.2): base64(SHA-1(key + GUID)).</summary>
    private static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    private static string? Header(string head, string name) =>
        head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            .Select(p => p[1].Trim()).FirstOrDefault();

    [Fact, Graded(2, Hint = Limits)]
    public async Task Past_MaxConnections_a_handshake_gets_503_with_Retry_After_before_any_upgrade()
    {
        await using var server = TestServer.Start(new ServerOptions { MaxConnections = 2 });
        using var first = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        using var second = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context);
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 2, Loopback.DefaultBound, "2 connections in the pool", server.Context);

        var head = await RawClient.ExchangeAsync(server.EndPoint, Handshake("/echo", "dGhlIHNhbXBsZSBub25jZQ=="), server.Context);
        var status = head.Split("\r\n")[0];
        Check.True(status.StartsWith("HTTP/1.1 503", StringComparison.Ordinal),
            $"step 13: a third handshake with MaxConnections 2: expected \"HTTP/1.1 503 Service Unavailable\", got {Visible.Quoted(status)}",
            Limits + ". Refuse before Lab 04's endpoints upgrade anything.\n" + Visible.Escape(head));
        Check.True(Header(head, "Retry-After") is { Length: > 0 }, "step 13: the 503 has no Retry-After field", Limits + ". Say when to try again.\n" + Visible.Escape(head));
        Check.True(Header(head, "Sec-WebSocket-Accept") is null && Header(head, "Upgrade") is null,
            "step 13: the 503 carries upgrade fields (Upgrade or Sec-WebSocket-Accept)", Limits + ". The refusal comes before the upgrade.\n" + Visible.Escape(head));

        using (var third = new ClientWebSocket())
        {
            third.Options.Proxy = null;
            third.Options.CollectHttpResponseDetails = true;
            await Should.ThrowAsync<WebSocketException>(() => Bounded.RunAsync(Loopback.DefaultBound, "ClientWebSocket's third handshake", ct => third.ConnectAsync(server.Ws("/echo"), ct)));
            Check.Equal((int)third.HttpStatusCode, 503, "step 13: the status ClientWebSocket saw for a third handshake", Limits);
        }
        Check.Equal(server.Server.Connections.Count, 2, "step 13: pool.Count after two refusals", Limits);

        // Room again: the next handshake gets in.
        await first.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default).Within(Loopback.DefaultBound, "the first client's close", server.Context);
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 1, Loopback.DefaultBound, "the pool to have room again", server.Context);
        using var again = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await DotnetWs.EchoAsync(again, WebSocketMessageType.Text, "in"u8.ToArray(), server.Context, "step 13");
    }

    [Fact, Graded(2, Hint = Limits)]
    public async Task ShutdownAsync_sends_1001_to_every_client_and_waits_for_their_answers()
    {
        await using var server = TestServer.Start();
        var clients = new List<ClientWebSocket>();
        try
        {
            foreach (var path in new[] { "/echo", "/echo", "/chat" })
                clients.Add(await DotnetWs.ConnectAsync(server.Ws(path), server.Context));
            await Eventually.TrueAsync(() => server.Server.Connections.Count == 3, Loopback.DefaultBound, "3 connections in the pool", server.Context);
            // Each client reads until the close frame and answers it, as a browser does.
            var answers = clients.Select(ws => Task.Run(async () =>
            {
                var buffer = new byte[1024];
                while ((await ws.ReceiveAsync(buffer, default)).MessageType != WebSocketMessageType.Close)
                {
                }
                await ws.CloseOutputAsync(ws.CloseStatus ?? WebSocketCloseStatus.NormalClosure, "", default);
                return (ws.CloseStatus, ws.CloseStatusDescription);
            })).ToArray();

            var echo = server.Ws("/echo"); // read before shutdown: the listener's port goes with it
            var clock = Stopwatch.StartNew();
            await server.Server.ShutdownAsync().Within(TimeSpan.FromSeconds(4), "step 13: ShutdownAsync with 3 clients that answer the close at once", server.Context);
            Check.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"step 13: ShutdownAsync took {clock.Elapsed.TotalSeconds:0.0} s although every client answered at once (ShutdownTimeout 5 s)",
                Limits + ". Wait for the connections to end, not for the timeout.");
            foreach (var (answer, i) in answers.Select((a, i) => (a, i)))
            {
                var (code, _) = await answer.Within(Loopback.DefaultBound, $"step 13: client {i + 1} to receive a close frame", server.Context);
                Check.Equal(code, WebSocketCloseStatus.EndpointUnavailable, $"step 13: the close code client {i + 1} ({clients[i].State}) received at shutdown",
                    Limits + ". 1001 Going Away: \"a server going down\" (§7.4.1).");
            }
            Check.Equal(server.Server.Connections.Count, 0, "step 13: pool.Count after ShutdownAsync", Limits);
            var refused = await Should.ThrowAsync<Exception>(async () =>
            {
                using var late = new ClientWebSocket();
                late.Options.Proxy = null;
                await Bounded.RunAsync(Loopback.DefaultBound, "a handshake after shutdown", ct => late.ConnectAsync(echo, ct));
            });
            refused.ShouldBeOfType<WebSocketException>("step 13: a handshake after ShutdownAsync must be refused (the listener is closed)");
        }
        finally
        {
            foreach (var ws in clients)
                ws.Dispose();
        }
    }

    [Fact, Graded(1, Hint = Limits)]
    public async Task ShutdownAsync_ends_within_ShutdownTimeout_even_when_a_client_never_answers()
    {
        await using var server = TestServer.Start(new ServerOptions
        {
            ShutdownTimeout = TimeSpan.FromSeconds(1),
            WebSocket = WebSocketOptions.Default with { CloseTimeout = TimeSpan.FromSeconds(30) },
        });
        await using var silent = await RawClient.ConnectAsync(server.EndPoint, "/echo", context: server.Context);
        using var polite = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 2, Loopback.DefaultBound, "2 connections in the pool", server.Context);
        var politeAnswer = Task.Run(async () =>
        {
            var result = await polite.ReceiveAsync(new byte[64], default);
            await polite.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "", default);
            return result.MessageType;
        });

        var clock = Stopwatch.StartNew();
        await server.Server.ShutdownAsync().Within(TimeSpan.FromSeconds(5), "step 13: ShutdownAsync (ShutdownTimeout 1 s) with a client that never answers its close", server.Context);
        Check.True(clock.Elapsed < TimeSpan.FromSeconds(3.5), $"step 13: ShutdownAsync took {clock.Elapsed.TotalSeconds:0.0} s; ShutdownTimeout is 1 s",
            Limits + ". After ShutdownTimeout, drop the connections that are left (CloseAllAsync does).");
        (await politeAnswer.Within(Loopback.DefaultBound, "the polite client's close frame")).ShouldBe(WebSocketMessageType.Close);
        var close = await silent.ReceiveCloseAsync("step 13: the silent client's close frame (it was sent, though never answered)");
        Check.Equal(close.Code, 1001, "step 13: the close code sent to the silent client", Limits);
        var end = await silent.Socket.WaitForCloseAsync(Loopback.DefaultBound, "step 13: the silent client's connection to be dropped", server.Context);
        end.ShouldBeOneOf(PeerClose.Fin, PeerClose.Reset);
    }

    [Fact]
    public async Task A_handshake_not_complete_within_the_handshake_timeout_is_refused_with_408_or_dropped()
    {
        await using var server = TestServer.Start(new ServerOptions { Handshake = HandshakeLimits.Default with { Timeout = TimeSpan.FromMilliseconds(300) } });
        using var socket = await server.ConnectRawAsync();
        await socket.SendBytesAsync(Encoding.ASCII.GetBytes("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"));
        var clock = Stopwatch.StartNew();
        var answer = await socket.ReceiveToEndAsync(4096, TimeSpan.FromSeconds(3), "the server to answer 408 and close, or just close, a handshake that stopped half-way (timeout 300 ms)", server.Context);
        var text = Encoding.ASCII.GetString(answer);
        Check.True(answer.Length == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal),
            $"A handshake that stopped half-way: expected 408 Request Timeout or nothing, then the close; got {Visible.Quoted(text, 200)}", "Notebook 06 §8; Lab 04's HandshakeLimits.Timeout; RFC 9110 §15.5.9");
        Check.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"The half handshake was cut after {clock.Elapsed.TotalSeconds:0.0} s; the timeout is 300 ms", "Notebook 06 §8");
        Check.Equal(server.Server.Connections.Count, 0, "pool.Count: a half handshake never joins the pool", "Notebook 06 §8");
    }

    [Fact, Graded(1, Hint = Limits)]
    public async Task A_connection_idle_past_IdleTimeout_is_closed_with_1001()
    {
        await using var server = TestServer.Start(new ServerOptions { WebSocket = WebSocketOptions.Default with { IdleTimeout = TimeSpan.FromMilliseconds(300) } });
        using var ws = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await DotnetWs.EchoAsync(ws, WebSocketMessageType.Text, "one message, then silence"u8.ToArray(), server.Context, "steps 8 and 9");
        var clock = Stopwatch.StartNew();
        var (type, _) = await DotnetWs.ReceiveAsync(ws, "step 10: the server's close after 300 ms without a message (IdleTimeout)", server.Context, TimeSpan.FromSeconds(4));
        Check.Equal(type, WebSocketMessageType.Close, "step 10: what came after the idle timeout", Limits);
        Check.Equal((ws.CloseStatus, ws.CloseStatusDescription), (WebSocketCloseStatus.EndpointUnavailable, "idle timeout"), "step 10: the close an idle connection gets",
            Limits + ". WaitForDataAsync calls CloseAsync(1001 \"idle timeout\") (step 10).");
        Check.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200), $"step 10: the idle close came {clock.Elapsed.TotalMilliseconds:0} ms after the last message; IdleTimeout is 300 ms", Limits);
        await ws.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "", default).Within(Loopback.DefaultBound, "the client's answer");
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 0, Loopback.DefaultBound, "step 10: the idle connection to leave the pool", server.Context);
    }

    [Fact, Graded(1, Hint = "Notebook 06 §9 (the browser page); RFC 9110 §15.3.1")]
    public async Task GET_slash_serves_the_browser_page_on_the_WebSocket_port()
    {
        await using var server = TestServer.Start();
        await using var http = await HttpWire.ConnectAsync(server.EndPoint);
        var response = await http.ExchangeAsync("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", "the response to GET /", context: server.Context);
        Check.Equal(response.Status, 200, "step 13: the status of GET / (the page)",
            "Notebook 06 §8-§9. WebSocketServer.HandleAsync refuses only handshakes past MaxConnections; every other request goes on to Lab 04's endpoints (the page at /).\n" + response);
        Check.True(response.Header("Content-Type")?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true,
            $"step 13: GET /: expected Content-Type text/html, got {Visible.Quoted(response.Header("Content-Type") ?? "(none)")}", "Notebook 06 §9");
        Check.True(response.Body.Contains("<html", StringComparison.OrdinalIgnoreCase) && response.Body.Contains("WebSocket", StringComparison.Ordinal),
            "step 13: GET /: the body is not the page (no <html>, no WebSocket in it)", "Notebook 06 §9");
    }

    [Fact]
    public async Task Break_accept_answers_101_with_a_wrong_accept_and_ClientWebSocket_refuses_it()
    {
        await using var server = TestServer.Start();
        const string key = "dGhlIHNhbXBsZSBub25jZQ==";
        var head = await RawClient.ExchangeAsync(server.EndPoint, Handshake("/echo?break-accept", key), server.Context);
        Check.True(head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal), $"?break-accept: expected a 101 all the same, got {Visible.Quoted(head.Split("\r\n")[0])}", "Notebook 06 §9\n" + Visible.Escape(head));
        var accept = Header(head, "Sec-WebSocket-Accept");
        Check.True(accept is { Length: 28 }, $"?break-accept: expected a well-formed Sec-WebSocket-Accept (28 base64 characters), got {Visible.Quoted(accept ?? "(none)")}", "Notebook 06 §9");
        Check.True(accept != AcceptFor(key), $"?break-accept: the accept is the right one ({AcceptFor(key)}) for key {key}", "Notebook 06 §9: it must be wrong on purpose.");

        using var ws = new ClientWebSocket();
        ws.Options.Proxy = null;
        var refused = await Should.ThrowAsync<WebSocketException>(() => Bounded.RunAsync(Loopback.DefaultBound, "ClientWebSocket's handshake with ?break-accept",
            ct => ws.ConnectAsync(server.Ws("/echo?break-accept"), ct)));
        refused.Message.ShouldContain("Sec-WebSocket-Accept", Case.Insensitive, "RFC 6455 §4.1: a client MUST fail the connection when the accept is wrong");
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 0, Loopback.DefaultBound, "the refused connection to leave the pool", server.Context);
    }

    [Fact, Graded(1, Hint = Failing)]
    public async Task A_handler_that_throws_fails_the_connection_with_1011_and_no_internals()
    {
        const string secret = "connection string Server=db;Password=hunter2";
        await using var pair = await SocketPair.StartAsync((_, _, _) => throw new InvalidOperationException(secret));
        await pair.Client.SendAsync("boom"u8.ToArray(), WebSocketMessageType.Text, true, default).Within(Loopback.DefaultBound, ".NET's client to send");
        var (type, _) = await DotnetWs.ReceiveAsync(pair.Client, "steps 4 and 8: the close frame after the handler threw", pair.Describe);
        Check.Equal(type, WebSocketMessageType.Close, "steps 4 and 8: what the peer got after the handler threw", Failing);
        Check.Equal(pair.Client.CloseStatus, WebSocketCloseStatus.InternalServerError, "steps 4 and 8: the close code after the handler threw", Failing + ". 1011: \"an unexpected condition\".");
        var reason = pair.Client.CloseStatusDescription ?? "";
        Check.True(!reason.Contains("hunter2", StringComparison.Ordinal) && !reason.Contains(nameof(InvalidOperationException), StringComparison.Ordinal),
            $"step 4: the close reason tells the peer about the server's insides: {Visible.Quoted(reason)}", Failing + ". The details go to the log (ConnectionClosed.Error), never to the peer.");
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.InternalServerError, "", default).Within(Loopback.DefaultBound, ".NET's answer");
        var closed = await pair.Run.Within(Loopback.DefaultBound, "steps 4 and 8: RunAsync to end after the failure", pair.Describe);
        Check.Equal(closed.Code, 1011, "steps 4 and 8: RunAsync's result code", Failing);
        Check.True(closed.Error is InvalidOperationException { Message: secret }, $"step 8: ConnectionClosed.Error should carry the handler's exception for the log; got {closed.Error?.GetType().Name ?? "null"}", Failing);
    }
}
