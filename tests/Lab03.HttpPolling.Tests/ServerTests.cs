using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Lab03.HttpPolling.Tests;

/// <summary>
/// The server on the wire (notebook 03 §4): persistent connections, close,
/// pipelining, the error statuses, the request timeout. Each test talks to
/// the lab's server with a raw socket.
/// </summary>
public class ServerTests
{
    private const string Read = "Notebook 03 §4; RFC 9112 §9.3 (persistence), §9.6 (tear-down)";
    private const string ReadErrors = "Notebook 03 §3; RFC 9110 §15.5 (4xx), RFC 6585 §5 (431)";

    [Fact, Graded(2, Hint = Read)]
    public async Task Answers_several_requests_on_one_kept_alive_connection()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        for (int i = 1; i <= 3; i++)
        {
            var request = Requests.Post("/messages", $"{{\"text\":\"m{i}\"}}");
            var response = await wire.ExchangeAsync(request, $"step 5: the answer to request {i} of 3 on one connection", context: server.Story);
            Check.Equal(response.Status, 201, $"step 5: the status of POST number {i} on the same connection ({response})", Read);
            Check.True(response.Header("Connection") is null || !response.Header("Connection")!.Contains("close", StringComparison.OrdinalIgnoreCase),
                $"step 5: response {i} says Connection: close, but the client asked for nothing of the kind: HTTP/1.1 keeps the connection open", Read);
        }
        Check.Equal(server.App.Feed.LastId, 3L, "step 5: messages stored after three POSTs on one connection", Read);
        Check.Equal(server.Server.ConnectionCount, 1, "step 5: connections the server has open (the client's one, kept alive)", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Closes_after_answering_a_request_with_Connection_close()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        var response = await wire.ExchangeAsync(Requests.Get("/messages?since=0", "Connection: close"), "step 5: the answer to a GET with Connection: close", context: server.Story);
        Check.Equal(response.Status, 200, $"step 5: the status of GET /messages?since=0 ({response})", Read);
        Check.Equal(response.Header("Connection")?.ToLowerInvariant(), "close", "step 4-5: the response's Connection field when the server will close", Read);
        var close = await wire.WaitForCloseAsync("step 5: the server closing after a Connection: close exchange");
        Check.Equal(close, PeerClose.Fin, "step 5: how the server closed (FIN after the response, not RST)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task An_HTTP_1_0_request_is_answered_then_closed()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        var response = await wire.ExchangeAsync("GET /messages HTTP/1.0\r\n\r\n", "step 5: the answer to an HTTP/1.0 GET (no Host needed)", context: server.Story);
        Check.Equal(response.Status, 200, $"step 5: the status of an HTTP/1.0 GET ({response})", Read);
        await wire.WaitForCloseAsync("step 5: the server closing after an HTTP/1.0 exchange (1.0 closes unless keep-alive, RFC 9112 §9.3)");
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Answers_pipelined_requests_in_order()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        // Three requests in one write: the server reads them in one receive.
        await wire.SendAsync(Requests.Post("/messages", "{\"text\":\"a\"}") + Requests.Get("/nowhere") + Requests.Get("/messages?since=0"));
        var first = await wire.ReadResponseAsync("step 5: response 1 of 3 pipelined requests", context: server.Story);
        var second = await wire.ReadResponseAsync("step 5: response 2 of 3 pipelined requests", context: server.Story);
        var third = await wire.ReadResponseAsync("step 5: response 3 of 3 pipelined requests", context: server.Story);
        Check.Equal((first.Status, second.Status, third.Status), (201, 404, 200),
            "step 5: the statuses of POST, GET /nowhere, GET /messages sent together (responses in request order, RFC 9112 §9.3.2)", Read);
        Check.Equal(third.Body, "[{\"id\":1,\"text\":\"a\"}]", "step 5: the body of the third response", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Parses_a_request_that_arrives_one_byte_at_a_time()
    {
        await using var server = await FeedServer.StartAsync();
        await using var proxy = ChaosProxy.Start(server.EndPoint, new ChaosOptions { ToUpstream = ChaosMode.OneByteAtATime });
        await using var wire = await HttpWire.ConnectAsync(proxy.EndPoint);

        var response = await wire.ExchangeAsync(Requests.Post("/messages", "{\"text\":\"slowly\"}"),
            "step 5-6: the answer to a POST that reaches the server one byte per segment", TimeSpan.FromSeconds(10), server.Story);
        Check.Equal(response.Status, 201, $"step 5-6: the status of a POST delivered a byte at a time ({response})", Read + "; a receive may return a single byte");
    }

    [Fact, Graded(3, Hint = ReadErrors)]
    public async Task Answers_each_error_with_its_status_then_closes_after_a_bad_request()
    {
        var options = new HttpServerOptions { Limits = new HttpLimits { MaxRequestLineLength = 200, MaxHeaderBytes = 400, MaxBodyLength = 100 } };
        await using var server = await FeedServer.StartAsync(options);
        var cases = new (string Request, int Status, bool Closes, string What)[]
        {
            (Requests.Get("/nowhere"), 404, false, "GET of an unknown path"),
            (Requests.Bodiless("DELETE", "/messages"), 405, false, "DELETE /messages"),
            ("GET / HTTP/1.1\r\nHost t\r\n\r\n", 400, true, "a field line without ':'"),
            (Requests.Get("/" + new string('x', 300)), 414, true, "a 300-byte target over a 200-byte request-line limit"),
            (Requests.Get("/", "Cookie: " + new string('c', 500)), 431, true, "a 500-byte Cookie over a 400-byte header limit"),
            ("POST /messages HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n", 413, true, "Content-Length 101 over a 100-byte body limit"),
            ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505, true, "HTTP/3.0"),
            (Requests.Post("/messages", "not json"), 400, false, "POST /messages with a body that is not JSON"),
            (Requests.Get("/messages?since=0&wait=61"), 400, false, "a long poll asking to wait 61 s (the feed's limit is 60 s)"),
            (Requests.Get("/messages?since=0&wait=NaN"), 400, false, "a long poll asking to wait NaN seconds"),
        };
        foreach (var (request, status, closes, what) in cases)
        {
            await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
            var response = await wire.ExchangeAsync(request, $"steps 3-8: the answer to {what}", context: server.Story);
            Check.Equal(response.Status, status, $"steps 3-8: the status for {what} ({response})", $"{ReadErrors}. {Requests.ByHand(request)}");
            if (status == 405)
                Check.True(response.Header("Allow") is { } allow && allow.Contains("GET") && allow.Contains("POST"),
                    $"step 8: a 405 must list the allowed methods in Allow (RFC 9110 §15.5.6); got Allow: {response.Header("Allow") ?? "(none)"}", ReadErrors);
            if (closes)
            {
                Check.Equal(response.Header("Connection")?.ToLowerInvariant(), "close", $"step 5: the Connection field of the {status} for {what} (the server closes after a bad request)", Read);
                await wire.WaitForCloseAsync($"step 5: the server closing after answering {status} to {what}");
            }
            else
            {
                var next = await wire.ExchangeAsync(Requests.Get("/messages?since=0"), $"step 5: the answer to a GET after the {status} on the same connection", context: server.Story);
                Check.Equal(next.Status, 200, $"step 5: the status of a GET sent after a {status} on the same connection (a 404 or 405 does not end it)", Read);
            }
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Cuts_off_a_client_that_sends_its_head_too_slowly_with_408()
    {
        var timeout = TimeSpan.FromMilliseconds(400);
        await using var server = await FeedServer.StartAsync(new HttpServerOptions { RequestTimeout = timeout });
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        var clock = Stopwatch.StartNew();

        // Slowloris: a byte every 100 ms never lets a per-read timeout expire;
        // only a deadline from the request's first byte stops it.
        using var trickling = new CancellationTokenSource();
        var trickle = Task.Run(async () =>
        {
            var head = Encoding.ASCII.GetBytes("GET /messages HTTP/1.1\r\nHost: test\r\nX-Slow: ");
            for (int i = 0; i < 60 && !trickling.IsCancellationRequested; i++)
            {
                try
                {
                    await wire.Socket.SendAsync(head.AsMemory(Math.Min(i, head.Length - 1), 1), SocketFlags.None, trickling.Token);
                    await Task.Delay(100, trickling.Token);
                }
                catch (Exception)
                {
                    return; // the server closed: stop sending
                }
            }
        });

        var response = await wire.ReadResponseAsync("step 6: the server's answer to a client trickling its head a byte per 100 ms (RequestTimeout 400 ms)",
            TimeSpan.FromSeconds(5), context: server.Story);
        var elapsed = clock.Elapsed;
        trickling.Cancel();
        await trickle.Within(TimeSpan.FromSeconds(5), "the trickling client to stop");
        Check.Equal(response.Status, 408, $"step 6: the status for a request not complete {timeout.TotalMilliseconds} ms after its first byte ({response})", Read + "; RFC 9110 §15.5.9 (408)");
        Check.True(elapsed < TimeSpan.FromSeconds(3),
            $"step 6: the 408 came after {elapsed.TotalMilliseconds:0} ms, expected about {timeout.TotalMilliseconds} ms: the deadline must run from the request's first byte, not restart at every byte (Slowloris)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Survives_garbage_and_abrupt_clients()
    {
        await using var server = await FeedServer.StartAsync();
        var random = new Random(403);
        for (int i = 0; i < 10; i++)
        {
            var socket = await Loopback.ConnectAsync(server.EndPoint);
            var garbage = new byte[random.Next(1, 300)];
            random.NextBytes(garbage);
            await socket.SendBytesAsync(garbage);
            if (i % 2 == 0)
                socket.Abort(); // RST
            else
                socket.Dispose(); // FIN, without reading the answer
        }
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        var response = await wire.ExchangeAsync(Requests.Get("/messages?since=0"), "step 5: the answer to a good GET after 10 clients sent garbage and went away", context: server.Story);
        Check.Equal(response.Status, 200, $"step 5: the status of a good request after garbage from other clients ({response})", Read + ". A bad client must end only its own connection");
        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 1, TimeSpan.FromSeconds(5),
            "step 5: the garbage clients' connections to be closed by the server (only the good one left open)", server.Story);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_handler_that_throws_gives_500_without_internals()
    {
        await using var server = await FeedServer.StartAsync(handler: (_, _) => throw new InvalidOperationException("secret connection string"));
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        var response = await wire.ExchangeAsync(Requests.Get("/"), "step 5: the answer when the handler throws", context: server.Story);
        Check.Equal(response.Status, 500, $"step 5: the status when the application throws ({response})", ReadErrors);
        Check.True(!response.Body.Contains("secret", StringComparison.Ordinal), $"the 500's body shows the exception's message: {response.Body}", "Internals go to the log, never to the client.");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Closes_an_idle_kept_alive_connection_after_the_idle_timeout()
    {
        await using var server = await FeedServer.StartAsync(new HttpServerOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        var response = await wire.ExchangeAsync(Requests.Get("/messages"), "step 5: the answer to a GET", context: server.Story);
        Check.Equal(response.Status, 200, "step 5: the status of a GET", Read);
        await wire.WaitForCloseAsync("step 6: the server closing a connection idle for longer than IdleTimeout (300 ms)");
    }

    [Fact, Graded(2, Hint = "Notebook 03 §4; RFC 9110 §7.8 (Upgrade), §15.2.2 (101)")]
    public async Task After_a_101_the_connection_is_handed_over_and_is_no_longer_HTTP()
    {
        // A toy protocol, "reverse/1": after the 101, the server answers a line with the line reversed.
        UpgradeHandler reverse = async (connection, cancellation) =>
        {
            var line = new List<byte>(connection.Received.ToArray());
            var buffer = new byte[256];
            while (!line.Contains((byte)'\n'))
            {
                int n = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
                if (n == 0)
                    return;
                line.AddRange(buffer.AsSpan(0, n).ToArray());
            }
            var text = Encoding.ASCII.GetString(line.ToArray(), 0, line.IndexOf((byte)'\n'));
            await connection.Socket.SendAsync(Encoding.ASCII.GetBytes(new string(text.Reverse().ToArray()) + "\n"), SocketFlags.None, cancellation);
        };
        await using var server = await FeedServer.StartAsync(handler: (request, _) =>
            Task.FromResult(request.Headers.Contains("Upgrade") ? HttpResponse.SwitchingProtocols("reverse/1", reverse) : HttpResponse.Text(200, "plain")));
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        // The request and the new protocol's first bytes in one write: the bytes
        // after the empty line are not a second HTTP request.
        await wire.SendAsync("GET / HTTP/1.1\r\nHost: t\r\nUpgrade: reverse/1\r\nConnection: Upgrade\r\n\r\nhello\n");
        var response = await wire.ReadResponseAsync("step 5: the 101 answering an Upgrade request", context: server.Story);
        Check.Equal(response.Status, 101, $"step 5: the status when the handler switches protocols ({response})", "Notebook 03 §4; RFC 9110 §15.2.2");
        var after = Encoding.ASCII.GetString(wire.TakePending()) + Encoding.ASCII.GetString(await wire.Socket.ReceiveToEndAsync(64, TimeSpan.FromSeconds(5), "step 5: the upgraded connection's answer, then its close"));
        Check.Equal(after, "olleh\n",
            "step 5: what came after the 101 (the toy protocol reverses \"hello\", then the server closes). " +
            "After a 101 the keep-alive loop must stop reading requests and call SwitchProtocolsAsync, which hands the socket and the bytes already received to the new protocol",
            "Notebook 03 §4; RFC 9110 §7.8");
    }
}
