using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// The handshake on the wire (notebook 04 §1, §4-§6, §8): the lab's Lab 03
/// server with <see cref="HandshakeDemo"/>, spoken to with a raw socket and
/// the test's own response parser.
/// </summary>
public class ServerHandshakeTests
{
    private const string Read = "Notebook 04 §3 and §8; RFC 6455 §4.2.2";
    private const string ReadErrors = "Notebook 04 §4; RFC 6455 §4.2.1, §4.4";
    private const string ReadOrigin = "Notebook 04 §6; RFC 6455 §10.2";
    private const string ReadSubprotocols = "Notebook 04 §5; RFC 6455 §4.2.2 item 5.4, §9.1";

    private static async Task<WireResponse> HandshakeAsync(HandshakeServer server, string request, string what)
    {
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        return await wire.ExchangeAsync(request, what, context: server.Story);
    }

    private static string Why(string read, string request, WireResponse response, HandshakeServer server) =>
        $"{read}. {Handshakes.ByHand(request.Replace(server.EndPoint.ToString(), "127.0.0.1:8080", StringComparison.Ordinal))}\nThe response: {Handshakes.Explain(response, server.Story)}";

    [Fact, Graded(2, Hint = Read)]
    public async Task Answers_the_RFC_example_handshake_with_101_and_its_accept()
    {
        await using var server = await HandshakeServer.StartAsync();
        var request = Handshakes.Request(host: server.EndPoint.ToString(), extra:
            ["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]);
        var response = await HandshakeAsync(server, request, "step 7: the server's answer to the RFC's example handshake");

        Check.Equal(response.Status, 101, "step 7: the status of the answer to a valid handshake on /echo", Why(Read, request, response, server));
        Check.Equal(response.Header("Sec-WebSocket-Accept"), Handshakes.RfcAccept, $"step 7: the Sec-WebSocket-Accept for the key {Handshakes.RfcKey}", Why(Read, request, response, server));
        Check.Equal(response.Header("Upgrade")?.ToLowerInvariant(), "websocket", "step 7: the Upgrade field of the 101", Why(Read, request, response, server));
        Check.Equal(response.Header("Connection")?.ToLowerInvariant(), "upgrade", "step 7: the Connection field of the 101", Why(Read, request, response, server));
        Check.Equal(response.Header("Sec-WebSocket-Protocol"), "chat", "step 7: the Sec-WebSocket-Protocol of the 101 (the client offered chat; /echo speaks chat and json)", Why(Read, request, response, server));
        Check.Equal(response.Header("Sec-WebSocket-Extensions"), null, "step 7: the Sec-WebSocket-Extensions of the 101 (offers are declined by naming none)", Why(ReadSubprotocols, request, response, server));
    }

    [Fact, Graded(1, Hint = ReadErrors + "; RFC 9110 §5.1, §7.6.1")]
    public async Task Accepts_a_handshake_written_in_other_cases_with_Connection_keep_alive_Upgrade()
    {
        await using var server = await HandshakeServer.StartAsync();
        // Firefox sends "Connection: keep-alive, Upgrade"; names and tokens ignore case.
        var request = $"GET /echo HTTP/1.1\r\nhost: {server.EndPoint}\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n" +
                      $"sec-websocket-key: {Handshakes.RfcKey}\r\nsec-websocket-version: 13\r\n\r\n";
        var response = await HandshakeAsync(server, request, "step 7: the answer to a handshake in lower case with Connection: keep-alive, Upgrade");
        Check.Equal(response.Status, 101, "step 7: the status of a valid handshake written \"upgrade: WebSocket\", \"connection: keep-alive, Upgrade\" (steps 2 and 5 read it; step 7 answers)", Why(ReadErrors, request, response, server));
        Check.Equal(response.Header("Sec-WebSocket-Accept"), Handshakes.RfcAccept, "step 7: the Sec-WebSocket-Accept", Why(Read, request, response, server));
    }

    [Fact, Graded(2, Hint = ReadErrors)]
    public async Task Refuses_each_broken_handshake_with_its_status_and_a_reason()
    {
        await using var server = await HandshakeServer.StartAsync();
        string host = server.EndPoint.ToString();
        var cases = new (string Request, int Status, string What)[]
        {
            (Handshakes.Request(host, method: "POST", extra: ["Content-Length: 0"]), 405, "a POST handshake"),
            (Handshakes.Request(host, connection: null), 400, "a handshake without Connection: Upgrade"),
            (Handshakes.Request(host, connection: "keep-alive"), 400, "a handshake with Connection: keep-alive only"),
            (Handshakes.Request(host, wsVersion: "8"), 426, "Sec-WebSocket-Version: 8"),
            (Handshakes.Request(host, wsVersion: null), 426, "a handshake without Sec-WebSocket-Version"),
            (Handshakes.Request(host, key: null), 400, "a handshake without Sec-WebSocket-Key"),
            (Handshakes.Request(host, key: RequestValidationTests.Fifteen), 400, "a key that decodes to 15 bytes"),
            (Handshakes.Request(host, key: RequestValidationTests.Seventeen), 400, "a key that decodes to 17 bytes"),
            (Handshakes.Request(host, key: "dGhlIHNhbXBs ZSBub25jZQ=="), 400, "a key with a space inside"),
            (Handshakes.Request(host, extra: [$"Sec-WebSocket-Key: {Handshakes.RfcKey}"]), 400, "two Sec-WebSocket-Key fields"),
            (Handshakes.Request(host, extra: ["Sec-WebSocket-Protocol: chat, j son"]), 400, "a malformed Sec-WebSocket-Protocol"),
        };
        foreach (var (request, status, what) in cases)
        {
            var response = await HandshakeAsync(server, request, $"step 5: the answer to {what}");
            Check.Equal(response.Status, status, $"step 5: the status for {what}", Why(ReadErrors, request, response, server));
            Check.True(response.Body.Trim().Length > 0, $"step 4: the {status} for {what} has no body; the body says why the handshake was refused", Why(ReadErrors, request, response, server));
            if (status == 405)
                Check.Equal(response.Header("Allow"), "GET", $"step 4: the Allow field of the 405 for {what} (RFC 9110 §15.5.6)", Why(ReadErrors, request, response, server));
            if (status == 426)
                Check.Equal(response.Header("Sec-WebSocket-Version"), "13", $"step 4: the Sec-WebSocket-Version field of the 426 for {what} (RFC 6455 §4.4)", Why(ReadErrors, request, response, server));
            Check.Equal(response.Header("Sec-WebSocket-Accept"), null, $"step 5: the Sec-WebSocket-Accept of the {status} for {what} (a refusal accepts nothing)", Why(ReadErrors, request, response, server));
        }
        Check.Equal(server.Demo.OpenConnections, 0, "step 5: WebSocket connections open after refused handshakes only", ReadErrors);
    }

    [Fact, Graded(1, Hint = ReadSubprotocols)]
    public async Task Negotiates_the_subprotocol_in_the_clients_order_and_declines_extensions()
    {
        await using var server = await HandshakeServer.StartAsync(new HandshakePolicy { Subprotocols = ["chat", "json"] });
        string host = server.EndPoint.ToString();
        var cases = new (string[] Fields, string? Expected, string What)[]
        {
            (["Sec-WebSocket-Protocol: json, chat"], "json", "offers json, chat (the server lists chat, json: the client's order wins)"),
            (["Sec-WebSocket-Protocol: superchat", "Sec-WebSocket-Protocol: chat"], "chat", "offers superchat and chat in two fields"),
            ([], null, "offers no subprotocol"),
            (["Sec-WebSocket-Protocol: mqtt"], null, "offers only mqtt, which the server does not speak"),
            (["Sec-WebSocket-Protocol: CHAT"], null, "offers CHAT (names are case-sensitive)"),
            (["Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame"], null, "offers two extensions"),
        };
        foreach (var (fields, expected, what) in cases)
        {
            var request = Handshakes.Request(host, extra: fields);
            var response = await HandshakeAsync(server, request, $"step 7: the answer to a handshake that {what}");
            Check.Equal(response.Status, 101, $"step 7: the status for a handshake that {what} (an unsupported subprotocol is not an error: the server just names none)", Why(ReadSubprotocols, request, response, server));
            Check.Equal(response.Header("Sec-WebSocket-Protocol"), expected, $"step 7: the Sec-WebSocket-Protocol of the 101 when the client {what}", Why(ReadSubprotocols, request, response, server));
            Check.Equal(response.Header("Sec-WebSocket-Extensions"), null, $"step 7: the Sec-WebSocket-Extensions of the 101 when the client {what} (this lab accepts none)", Why(ReadSubprotocols, request, response, server));
        }
    }

    [Fact, Graded(1, Hint = ReadOrigin)]
    public async Task Applies_the_origin_policy_on_the_wire()
    {
        await using var server = await HandshakeServer.StartAsync(new HandshakePolicy { Origins = OriginPolicy.Allow("https://chat.example") });
        string host = server.EndPoint.ToString();
        var cases = new (string? Origin, int Status, string What)[]
        {
            (null, 101, "no Origin (a client that is not a browser)"),
            ($"http://{host}", 101, "the server's own origin"),
            ("https://chat.example", 101, "a listed origin"),
            ("https://evil.example", 403, "a foreign origin"),
            ("null", 403, "the opaque origin \"null\""),
            ($"http://127.0.0.1:{(server.EndPoint.Port == 65535 ? 1 : server.EndPoint.Port + 1)}", 403, "the same host on another port"),
        };
        foreach (var (origin, status, what) in cases)
        {
            var request = Handshakes.Request(host, extra: origin is null ? [] : [$"Origin: {origin}"]);
            var response = await HandshakeAsync(server, request, $"steps 6-7: the answer to a handshake with {what}");
            Check.Equal(response.Status, status, $"steps 6-7: the status for a handshake with {what} (OriginPolicy.IsAllowed, Negotiate)", Why(ReadOrigin, request, response, server));
        }

        await using var browsersOnly = await HandshakeServer.StartAsync(new HandshakePolicy { Origins = new OriginPolicy { AllowMissingOrigin = false } });
        var bare = Handshakes.Request(browsersOnly.EndPoint.ToString());
        var refused = await HandshakeAsync(browsersOnly, bare, "steps 6-7: the answer to a handshake without Origin when AllowMissingOrigin is false");
        Check.Equal(refused.Status, 403, "steps 6-7: the status for a handshake without Origin when the policy says AllowMissingOrigin = false", Why(ReadOrigin, bare, refused, browsersOnly));
    }

    [Fact, Graded(2, Hint = "Notebook 04 §1 and §8; RFC 6455 §1.7, §4.2.2; RFC 9110 §7.8")]
    public async Task After_the_101_the_bytes_belong_to_the_WebSocket_handler_not_to_HTTP()
    {
        const string Read8 = "Notebook 04 §8; RFC 9110 §7.8 (after the 101 the connection speaks the new protocol)";
        await using var server = await HandshakeServer.StartAsync();
        var wire = await HttpWire.ConnectAsync(server.EndPoint);
        try
        {
            var request = Handshakes.Request(server.EndPoint.ToString());
            var response = await wire.ExchangeAsync(request, "step 7: the 101", context: server.Story);
            Check.Equal(response.Status, 101, "step 7: the status of a valid handshake", Why(Read, request, response, server));
            await Eventually.TrueAsync(() => server.Demo.OpenConnections == 1, TimeSpan.FromSeconds(5),
                "step 7: the /echo handler to run after the 101 (HandshakeDemo.OpenConnections to become 1)", server.Story);

            // Something that looks like HTTP: after a 101 it is data for the handler, never a request.
            var after = Encoding.ASCII.GetBytes("GET /messages?since=0 HTTP/1.1\r\nHost: test\r\n\r\n");
            await wire.Socket.SendBytesAsync(after);
            await server.Log.WaitForAsync(line => line.Contains(Convert.ToHexString(after[..16]), StringComparison.OrdinalIgnoreCase),
                TimeSpan.FromSeconds(5), "step 7: the WebSocket handler to log the bytes sent after the 101");
            await Task.Delay(200);
            Check.True(wire.TakePending().Length == 0 && wire.Socket.Available == 0,
                "step 7: the server answered bytes sent after the 101, as if they were an HTTP request; after a 101 the connection belongs to the WebSocket handler",
                Read8 + "\n" + server.Story());
        }
        finally
        {
            await wire.DisposeAsync();
        }
        await Eventually.TrueAsync(() => server.Demo.OpenConnections == 0, TimeSpan.FromSeconds(5),
            "step 7: the /echo handler to end when the client closes (HandshakeDemo.OpenConnections back to 0)", server.Story);
    }

    [Fact, Graded(1, Hint = "Notebook 04 §8; RFC 9110 §7.8")]
    public async Task Bytes_sent_right_behind_the_handshake_reach_the_WebSocket_handler()
    {
        await using var server = await HandshakeServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        // The handshake and the start of a frame in one write: the server reads
        // them in one receive, and the frame's bytes must not be lost.
        var frame = new byte[] { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d };
        var bytes = Encoding.ASCII.GetBytes(Handshakes.Request(server.EndPoint.ToString())).Concat(frame).ToArray();
        await wire.Socket.SendBytesAsync(bytes);
        var response = await wire.ReadResponseAsync("step 7: the 101 to a handshake followed at once by frame bytes", context: server.Story);
        Check.Equal(response.Status, 101, "step 7: the status of a valid handshake followed at once by frame bytes", "Notebook 04 §8");
        await server.Log.WaitForAsync(line => line.Contains("right behind its handshake", StringComparison.Ordinal) && line.Contains(Convert.ToHexString(frame), StringComparison.OrdinalIgnoreCase),
            TimeSpan.FromSeconds(5), "the /echo handler to log the 6 frame bytes that came in the same segment as the handshake (UpgradedConnection.Received: Lab 03 step 5 hands them over with SwitchProtocolsAsync)");
    }

    [Fact] // Given code: WebSocketEndpoints asks ServerHandshake.IsUpgradeRequest, which says no for HTTP/1.0.
    public async Task An_HTTP_1_0_request_with_Upgrade_is_ordinary_HTTP()
    {
        await using var server = await HandshakeServer.StartAsync();
        var request = Handshakes.Request(server.EndPoint.ToString(), target: "/messages?since=0", version: "HTTP/1.0");
        var response = await HandshakeAsync(server, request, "step 7: the answer to an HTTP/1.0 request with Upgrade: websocket");
        Check.Equal(response.Status, 200, "step 7: the status for GET /messages?since=0 over HTTP/1.0 with the WebSocket fields (served by the feed: Upgrade is ignored in HTTP/1.0, never 101)",
            Why("Notebook 04 §4; RFC 9110 §7.8", request, response, server));
        Check.Equal(server.Demo.OpenConnections, 0, "step 7: WebSocket connections open after an HTTP/1.0 request", "Notebook 04 §4; RFC 9110 §7.8");
    }

    [Fact]
    public async Task Ordinary_HTTP_is_served_on_the_same_port()
    {
        await using var server = await HandshakeServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        var feed = await wire.ExchangeAsync("GET /messages?since=0 HTTP/1.1\r\nHost: test\r\n\r\n", "the Lab 03 feed's answer to GET /messages?since=0", context: server.Story);
        Check.Equal(feed.Status, 200, $"the status of GET /messages?since=0 on the WebSocket server's port ({feed})", "Notebook 04 §1; WebSocketEndpoints gives every request that is not a handshake to the HTTP application");
        var echo = await wire.ExchangeAsync("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n", "the answer to GET /echo without Upgrade", context: server.Story);
        Check.Equal(echo.Status, 426, $"the status of GET /echo without Upgrade (the demo's page says to use ws://) ({echo})", "Notebook 04 §1");
        var page = await wire.ExchangeAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", "the page at /", context: server.Story);
        Check.True(page.Status == 200 && page.Body.Contains("new WebSocket", StringComparison.Ordinal), $"GET / should serve the demo page ({page})", "Notebook 04 §1");
    }

    [Fact]
    public async Task A_head_over_the_limit_is_answered_431()
    {
        await using var server = await HandshakeServer.StartAsync(limits: new HandshakeLimits { MaxHeadBytes = 1024 });
        var request = Handshakes.Request(server.EndPoint.ToString(), extra: ["Cookie: " + new string('c', 2000)]);
        var response = await HandshakeAsync(server, request, "the answer to a 2 KB handshake head with a 1 KB limit");
        Check.Equal(response.Status, 431, $"the status for a handshake whose head is over HandshakeLimits.MaxHeadBytes ({response})", "Notebook 04 §4; RFC 6585 §5");
    }

    [Fact]
    public async Task A_half_sent_handshake_is_answered_408_and_closed_after_the_timeout()
    {
        await using var server = await HandshakeServer.StartAsync(limits: new HandshakeLimits { Timeout = TimeSpan.FromSeconds(1) });
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        var clock = Stopwatch.StartNew();
        await wire.Socket.SendBytesAsync(Encoding.ASCII.GetBytes($"GET /echo HTTP/1.1\r\nHost: {server.EndPoint}\r\nUpgrade: websocket\r\n"));
        var response = await wire.ReadResponseAsync("the server's answer to half a handshake (HandshakeLimits.Timeout 1 s)", TimeSpan.FromSeconds(5), context: server.Story);
        Check.Equal(response.Status, 408, $"the status for a handshake not complete 1 s after its first byte ({response})", "Notebook 04 §4; RFC 9110 §15.5.9");
        await wire.WaitForCloseAsync("the server closing after the 408", TimeSpan.FromSeconds(5));
        Check.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the 408 and the close came {clock.Elapsed.TotalSeconds:0.0} s after the first byte; the timeout is 1 s", "Notebook 04 §4");
    }
}
