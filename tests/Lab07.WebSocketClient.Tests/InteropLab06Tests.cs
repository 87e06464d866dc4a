using Lab06.WebSocketServer.Tests;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The client against the learner's own Lab 06 server (in this process,
/// limits raised to 16 MiB and 65,536 fragments): its /echo at every length
/// form and 16 MiB, messages it sends in fragments (TrySend with a fragment
/// size), its keepalive pings, and closes started by either side, each
/// checked on both ends (notebook 07 §9).
/// </summary>
public sealed class InteropLab06Tests
{
    private const string Read = "Lab 07 · steps 4-7 (WebSocketClient: RunAsync, Send, Close, ReceiveAsync) against the Lab 06 server. Notebook 07 §9; RFC 6455 §5.2 (lengths), §5.4 (fragments), §5.5.2-§5.5.3 (ping, pong), §7 (closing).";

    private static TestServer Start(WebSocketOptions? options = null) => TestServer.Start(new ServerOptions
    {
        WebSocket = (options ?? WebSocketOptions.Default) with { Limits = new FrameLimits { MaxMessageLength = Interop.SixteenMiB, MaxFragments = 1 << 16 } },
    });

    /// <summary>The server's side of the one connection (bounded wait for it to join the pool).</summary>
    private static async Task<WebSocketConnection> TheConnectionAsync(TestServer server)
    {
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 1, Loopback.DefaultBound, "the client's connection in the server's pool", server.Context);
        return server.Server.Connections.Connections.Single();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task The_Lab06_server_echoes_text_and_binary_at_every_length_form()
    {
        await using var server = Start();
        await using var client = await Interop.ConnectAsync(server.Ws("/echo").ToString(), server.Context, Read);
        foreach (var type in new[] { MessageType.Text, MessageType.Binary })
            foreach (int size in Interop.Sizes)
                await Interop.EchoAsync(client, Interop.Payload(type, size), server.Context, Read);
        var close = await Interop.CloseAsync(client, 1000, "", server.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "step 6: the close event after CloseAsync(1000)", $"{Read}\n{server.Context()}");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task The_Lab06_server_echoes_16_MiB_of_text_and_of_binary()
    {
        await using var server = Start();
        await using var client = await Interop.ConnectAsync(server.Ws("/echo").ToString(), server.Context, Read);
        foreach (var type in new[] { MessageType.Text, MessageType.Binary })
            await Interop.EchoAsync(client, Interop.Large(type), server.Context,
                Read + " The server's limit here is exactly 16 MiB (ServerOptions.WebSocket.Limits); the client's is 64 MiB.", Interop.LargeBound);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Messages_the_Lab06_server_sends_in_fragments_arrive_whole()
    {
        await using var server = Start();
        await using var client = await Interop.ConnectAsync(server.Ws("/echo").ToString(), server.Context, Read);
        var connection = await TheConnectionAsync(server);
        // Text in 7-byte fragments (cut inside its characters), 1 MiB in 16,384 fragments of 64 bytes, and an empty text message.
        var sent = new (Message Message, int FragmentSize)[]
        {
            (Message.FromText(Interop.Text(300)), 7),
            (Message.FromBinary(Interop.Bytes(1 << 20, seed: 64)), 64),
            (Message.FromText(""), 1),
        };
        foreach (var (message, fragmentSize) in sent)
            Check.Equal(connection.TrySend(message, fragmentSize), SendResult.Queued, $"the server's TrySend of {Interop.Describe(message)} in {fragmentSize}-byte fragments", server.Context());
        foreach (var (message, fragmentSize) in sent)
        {
            var got = await Interop.ReceiveAsync(client, $"{Interop.Describe(message)} sent in {fragmentSize}-byte fragments", server.Context, Read);
            Interop.SameMessage(got, message, $"{Interop.Describe(message)} sent in {fragmentSize}-byte fragments",
                Read + " The pump joins the fragments (Lab 05's assembler), up to the client's 65,536 of them; a text fragment may end inside a character (§5.6, §8.1).");
        }
        await Interop.CloseAsync(client, 1000, "", server.Context);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task The_Lab06_server_keepalive_pings_are_answered_and_it_measures_their_round_trips()
    {
        // A ping every 200 ms; a pong later than 1.5 s would fail the connection with 1011.
        await using var server = Start(WebSocketOptions.Default with { KeepAliveInterval = TimeSpan.FromMilliseconds(200), KeepAliveTimeout = TimeSpan.FromSeconds(1.5) });
        await using var client = await Interop.ConnectAsync(server.Ws("/echo").ToString(), server.Context, Read);
        var connection = await TheConnectionAsync(server);
        var keepalive = connection.Keepalive;
        await Eventually.TrueAsync(() => keepalive.PingsSent >= 4 && !keepalive.IsAwaitingPong || connection.Completion.IsCompleted,
            TimeSpan.FromSeconds(8), "4 keepalive pings answered (or the connection's end)", () => $"pings sent: {keepalive.PingsSent}, awaiting a pong: {keepalive.IsAwaitingPong}\n{server.Context()}");
        if (connection.Completion.IsCompleted)
            Check.Fail($"step 4 (the pump answers pings): the server's connection ended after {keepalive.PingsSent} pings: {await connection.Completion}",
            $"{Read} A pong later than the server's KeepAliveTimeout fails the connection with 1011: each ping must be answered at once, with its payload (§5.5.2).\n{server.Context()}");
        Check.True(keepalive.LastRoundTrip is { } trip && trip < TimeSpan.FromSeconds(1.5),
            $"the server's Keepalive.LastRoundTrip after {keepalive.PingsSent} pings is {keepalive.LastRoundTrip}", $"The server matches each pong to its ping by the payload (a counter).\n{server.Context()}");
        Check.Equal(client.ReadyState, ConnectionState.Open, "step 4: the client's ReadyState after the pings", Read + " The application never sees a ping.");
        await Interop.EchoAsync(client, Message.FromText("still here"), server.Context, Read);
        var close = await Interop.CloseAsync(client, 1000, "", server.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "step 6: the close event after the pings and CloseAsync(1000)", $"{Read}\n{server.Context()}");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_started_by_the_Lab06_server_reaches_OnClose_with_its_code_and_reason()
    {
        await using var server = Start();
        // The browser's way: new, handlers, Connect.
        await using var events = new InteropEvents(server.Ws("/echo").ToString());
        events.Client.Connect();
        await events.OpenedAsync(server.Context, Read);
        var connection = await TheConnectionAsync(server);
        var how = await connection.CloseAsync(new CloseStatus(4000, "lab 06 says bye")).Within(TimeSpan.FromSeconds(4), "the server's CloseAsync(4000) to complete (the client answers, the server closes TCP)", server.Context);
        var close = await events.ClosedAsync(server.Context);
        Check.Equal(close, new CloseEvent(4000, "lab 06 says bye", true), "steps 3 and 4: the close event after the server closed with 4000",
            $"{Read} The close event carries the code and reason of the close frame received (§7.1.5-§7.1.6); clean once the server closed TCP after the handshake (§7.1.4).\n{events.Describe()}\n{server.Context()}");
        Check.Equal(string.Join(", then ", events.Timeline), "open, then close 4000 \"lab 06 says bye\" clean", "step 4: the client's events, in order", $"{Read} No error event for a clean close.");
        Check.Equal((how.Code, how.WasClean, how.By, how.Received?.Code), (4000, true, ClosedBy.Local, (int?)4000),
            "how the server saw the end (code, clean, by, the code of the client's answer)", $"{Read} §5.5.1: the answering close echoes the code.\n{server.Context()}");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_started_by_the_client_is_answered_by_the_Lab06_server()
    {
        await using var server = Start();
        var ended = new TaskCompletionSource<ConnectionClosed>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Server.Connections.Closed += (_, how) => ended.TrySetResult(how);
        await using var client = await Interop.ConnectAsync(server.Ws("/echo").ToString(), server.Context, Read);
        var close = await Interop.CloseAsync(client, 4001, "bye", server.Context);
        // Lab 06 answers with the code alone (§5.5.1 "echos the status code"): the reason is not echoed.
        Check.Equal(close, new CloseEvent(4001, "", true), "step 6: the close event after CloseAsync(4001, \"bye\")", $"{Read}\n{server.Context()}");
        var how = await ended.Task.Within(Loopback.DefaultBound, "the connection to leave the server's pool", server.Context);
        Check.Equal((how.Code, how.Reason, how.WasClean, how.By), (4001, "bye", true, ClosedBy.Peer), "how the server saw the end (code, reason, clean, by)", $"{Read}\n{server.Context()}");
    }
}
