using System.Net.Sockets;
using System.Text;
using Lab06.WebSocketServer.Tests;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The C# way (notebook 07 §5; steps 4, 6 and 7): <c>await
/// WebSocketClient.ConnectAsync</c>, <c>SendAsync</c>, <c>ReceiveAsync</c>
/// and <c>await foreach</c>, <c>CloseAsync</c>, <c>await using</c>; the
/// inbox and its back-pressure; and what a handler may and may not do.
/// </summary>
public sealed class ReceiveTests
{
    private const string Receive =
        "Lab 07 · step 7 (DeliverAsync and ReceiveAsync): DeliverAsync raises OnMessage (through Raise), then awaits inbox.AddAsync when there is an inbox; " +
        "ReceiveAsync returns the next message, and once the inbox is done awaits Completion: clean → null (await foreach ends), else throw WebSocketFailedException(failure, close). " +
        "Notebook 07 §5.";

    private const string Connect =
        "Lab 07 · step 4 (RunAsync): ConnectAsync returns once OnOpen was raised (opened.TrySetResult()); a handshake that fails, a socket error or a cancellation " +
        "reaches NeverOpened(e), which faults opened with that exception, and ConnectAsync rethrows it. Notebook 07 §3 and §5.";

    private const string Handlers =
        "Lab 07 · steps 4 and 7: raise every event through Raise(...), which catches a handler's exception (the browser reports it and goes on) and marks the handler's flow, " +
        "so that CloseAsync, ReceiveAsync and DisposeAsync called from a handler throw InvalidOperationException instead of waiting for the read loop that runs them. Notebook 07 §3.";

    private const string Closing =
        "Lab 07 · step 6 (Close) and DisposeAsync: DisposeAsync closes with 1000 and waits for the end (the server's answer and its FIN, or the close timeout). Notebook 07 §4 and §5, RFC 6455 §7.1.2.";

    private static Task<WebSocketClient> ConnectAsync(string url, WebSocketClientOptions options, string what) =>
        WebSocketClient.ConnectAsync(url, options).Within(Sessions.Bound, what);

    [Fact, Graded(1, Hint = Connect)]
    public async Task ConnectAsync_returns_an_open_client_with_the_subprotocol_the_server_chose()
    {
        await using var server = TestServer.Start();
        await using var chat = await ConnectAsync(server.Ws("/chat").ToString(), Sessions.Fast("superchat", "json"), "step 4: ConnectAsync to Lab 06's /chat offering superchat, json");
        Check.Equal(chat.ReadyState, ConnectionState.Open, "ReadyState when ConnectAsync returned", Connect);
        Check.Equal(chat.Protocol, "json", "Protocol after offering superchat, json to /chat (which speaks chat and json)", Connect + " RFC 6455 §4.1: the server picks one of the offered subprotocols.");
        Check.Equal(chat.Extensions, "", "Extensions (none offered)", Connect);
        var join = await chat.ReceiveAsync().Within(Sessions.Bound, "step 7: the json join notice from /chat", server.Context);
        Check.True(join is { Type: MessageType.Text } && join.Text.StartsWith("{\"type\":\"join\"", StringComparison.Ordinal),
            $"step 7: the first message from /chat in json: expected a {{\"type\":\"join\",...}} notice, got {join?.ToString() ?? "null"}", Receive);

        await using var echo = await ConnectAsync(server.Ws("/echo").ToString(), Sessions.Fast(), "step 4: ConnectAsync to /echo offering nothing");
        Check.Equal(echo.Protocol, "", "Protocol when none was offered", Connect);
    }

    [Fact, Graded(1, Hint = Receive)]
    public async Task SendAsync_ReceiveAsync_and_CloseAsync_with_the_echo_server()
    {
        await using var server = TestServer.Start();
        await using var client = await ConnectAsync(server.Ws("/echo").ToString(), Sessions.Fast(), "step 4: ConnectAsync to /echo");
        await client.SendAsync("hello").Within(Sessions.Bound, "SendAsync(\"hello\")");
        await client.SendAsync(new byte[] { 1, 2, 3 }.AsMemory()).Within(Sessions.Bound, "SendAsync of 3 bytes");
        var text = await client.ReceiveAsync().Within(Sessions.Bound, "step 7: ReceiveAsync: the echo of \"hello\"", server.Context);
        var binary = await client.ReceiveAsync().Within(Sessions.Bound, "step 7: ReceiveAsync: the echo of 3 bytes", server.Context);
        Check.True(text is { Type: MessageType.Text } && text.Text == "hello", $"step 7: the first message: expected text \"hello\", got {text?.ToString() ?? "null"}", Receive);
        Check.True(binary is { Type: MessageType.Binary } && binary.Data.Span.SequenceEqual(new byte[] { 1, 2, 3 }), $"step 7: the second message: expected binary 01 02 03, got {binary?.ToString() ?? "null"}", Receive);

        var close = await client.CloseAsync(1000, "bye").Within(Sessions.Bound, "CloseAsync(1000, \"bye\")", server.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "the CloseEvent CloseAsync returned (the server echoes 1000 with no reason)", Closing);
        Check.Equal(client.ReadyState, ConnectionState.Closed, "ReadyState after CloseAsync", Closing);
        var after = await client.ReceiveAsync().Within(Sessions.Bound, "step 7: ReceiveAsync after a clean close");
        Check.True(after is null, $"step 7: ReceiveAsync after a clean close: expected null, got {after}", Receive);
        await Sessions.ThrowsAsync<WebSocketClosedException>(() => client.SendAsync("late").AsTask(), Sessions.Bound, "SendAsync after the close",
            "SendAsync once the connection is closed throws WebSocketClosedException (RFC 6455 §5.5.1: nothing after a close frame).");
    }

    [Fact, Graded(1, Hint = Receive)]
    public async Task Await_foreach_yields_the_messages_in_order_and_ends_after_a_clean_close()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendTextAsync("one");
            await c.SendFrameAsync(0x82, [1, 2]);
            await c.SendFrameAsync(0x01, "thr"u8);  // a text message in two fragments (§5.4)
            await c.SendFrameAsync(0x80, "ee"u8);
            await c.SendTextAsync("four");
            await c.SendCloseAsync(1000, "done");
            await c.ReadFrameAsync("the client's answer to the server's close", TimeSpan.FromSeconds(3));
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        await using var client = await ConnectAsync(server.Url("/"), Sessions.Fast(), "step 4: ConnectAsync to the scripted server");
        var got = new List<string>();
        await Bounded.RunAsync(Sessions.Bound, "step 7: await foreach over ReceiveAllAsync to end after the server's close", async ct =>
        {
            await foreach (var message in client.ReceiveAllAsync(ct))
                got.Add(Sessions.Show(message));
        }, () => $"Messages so far: {string.Join(", ", got)}");
        Check.Equal(string.Join(", ", got), "text \"one\", binary 2 bytes, text \"three\", text \"four\"", "step 7: the messages await foreach yielded", Receive);
        var close = await client.Completion.Within(Sessions.Bound, "Completion");
        Check.Equal(close, new CloseEvent(1000, "done", true), "the close event after the server's close 1000 \"done\"", Receive);
    }

    [Fact, Graded(2, Hint = Receive)]
    public async Task Await_foreach_throws_WebSocketFailedException_after_yielding_the_messages_that_came_before_the_failure()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            foreach (var text in new[] { "a", "b", "c" })
                await c.SendTextAsync(text);
            await c.SendFrameAsync(0x83, "?"u8); // opcode 3 is reserved (§5.2): the client fails the connection with 1002
            await c.ReadFrameAsync("the client's close 1002", TimeSpan.FromSeconds(3));
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        // Room for 16 unread messages: the connection ends before the application reads anything, and the three messages wait in the inbox.
        await using var client = await ConnectAsync(server.Url("/"), Sessions.Fast() with { InboxCapacity = 16 }, "step 4: ConnectAsync (InboxCapacity 16) to the scripted server");
        await client.Completion.Within(Sessions.Bound, "step 4: Completion after the server sent a reserved opcode");
        var got = new List<string>();
        WebSocketFailedException? failed = null;
        try
        {
            await Bounded.RunAsync(Sessions.Bound, "step 7: await foreach over ReceiveAllAsync after a failure", async ct =>
            {
                await foreach (var message in client.ReceiveAllAsync(ct))
                    got.Add(Sessions.Show(message));
            });
        }
        catch (WebSocketFailedException e)
        {
            failed = e;
        }
        Check.Equal(string.Join(", ", got), "text \"a\", text \"b\", text \"c\"", "step 7: the messages await foreach yielded before the failure",
            Receive + " Every message that came before the end is yielded first; only then the failure.");
        Check.True(failed is not null, "step 7: await foreach after a failed connection ended without throwing WebSocketFailedException",
            Receive + " A clean close ends the loop; any other end throws, so that a program cannot mistake a failure for the end of the conversation.");
        Check.Equal(failed.Close, new CloseEvent(1006, "", false), "WebSocketFailedException.Close", Receive);
        Check.True(failed.Error is { Message.Length: > 0 }, "WebSocketFailedException.Error has no message", Receive);
    }

    [Fact, Graded(1, Hint = Receive)]
    public async Task A_client_made_with_new_delivers_messages_as_OnMessage_events_and_has_no_ReceiveAsync()
    {
        await using var server = TestServer.Start();
        await using var client = new WebSocketClient(server.Ws("/echo").ToString(), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.OnOpen += () => client.Send("hi");
        client.Connect();
        await timeline.MessagesAsync(1, "step 7: OnMessage with the echo of \"hi\"");
        Check.Equal(timeline.Messages[0].Data as string, "hi", "step 7: OnMessage's Data (a string for text)", Receive);
        await Sessions.ThrowsAsync<InvalidOperationException>(() => client.ReceiveAsync().AsTask(), Sessions.Bound, "ReceiveAsync on a client made with new",
            "A client made with new has no inbox: its messages come as OnMessage events only (notebook 07 §5).");
        Check.Equal(client.ReadyState, ConnectionState.Open, "ReadyState after the refused ReceiveAsync", Receive);
    }

    [Fact, Graded(2, Hint = Receive)]
    public async Task A_full_inbox_stops_the_reading_until_the_application_reads_then_every_message_comes_in_order()
    {
        const int count = 200, size = 32 * 1024, capacity = 4;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int sent = 0;
        await using var server = ScriptedServer.Start(async c =>
        {
            c.Socket.SendBufferSize = 64 * 1024;
            await c.AcceptAsync();
            await go.Task.WaitAsync(TimeSpan.FromSeconds(5));
            var payload = new byte[size];
            for (int i = 0; i < count; i++)
            {
                payload[0] = (byte)i;
                await c.SendFrameAsync(0x82, payload);
                Interlocked.Increment(ref sent);
            }
            await c.SendCloseAsync(1000);
            await c.ReadFrameAsync("the client's answer to the close", TimeSpan.FromSeconds(5));
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        }, TimeSpan.FromSeconds(30));
        await using var client = await ConnectAsync(server.Url("/"), Sessions.Fast() with { InboxCapacity = capacity }, "step 4: ConnectAsync with InboxCapacity 4");
        int raised = 0;
        client.OnMessage += _ => Interlocked.Increment(ref raised);
        go.TrySetResult();

        await Eventually.TrueAsync(() => Volatile.Read(ref raised) >= capacity || client.Completion.IsCompleted, Sessions.Bound, "step 7: the first 4 OnMessage events", () => $"{raised} came.");
        Check.True(Volatile.Read(ref raised) >= capacity, $"step 7: the connection ended after {raised} OnMessage events, before the first {capacity}", Receive);
        await Task.Delay(300); // the window in which a client without back-pressure would read on
        int stalled = Volatile.Read(ref raised), serverSent = Volatile.Read(ref sent);
        Check.True(stalled <= capacity + 1,
            $"step 7: OnMessage events while the application read nothing, with InboxCapacity {capacity}: expected the pump to stop at about {capacity}, got {stalled} of {count}",
            Receive + " DeliverAsync awaits inbox.AddAsync, which waits while InboxCapacity messages are unread: the pump reads nothing meanwhile, and TCP's window slows the server.");
        Check.True(serverSent < count, $"the server sent all {count} messages of 32 KiB while the client's inbox was full: nothing held it back", Receive);

        var order = new List<int>();
        await Bounded.RunAsync(TimeSpan.FromSeconds(10), $"step 7: await foreach to read all {count} messages once the application reads", async ct =>
        {
            await foreach (var message in client.ReceiveAllAsync(ct))
                order.Add(message.Data.Length == size ? message.Data.Span[0] : -1);
        }, () => $"{order.Count} read; the server sent {Volatile.Read(ref sent)}.");
        Check.Equal(order.Count, count, "step 7: messages read once the application read", Receive);
        Check.True(order.SequenceEqual(Enumerable.Range(0, count).Select(i => i & 0xFF)), "step 7: the messages came out of order or changed", Receive);
        Check.Equal(Volatile.Read(ref raised), count, "OnMessage events in all", Receive);
    }

    [Fact, Graded(1, Hint = Handlers)]
    public async Task In_an_OnMessage_handler_CloseAsync_and_ReceiveAsync_throw_but_Close_works()
    {
        await using var server = TestServer.Start();
        await using var client = await ConnectAsync(server.Ws("/echo").ToString(), Sessions.Fast(), "step 4: ConnectAsync to /echo");
        var timeline = new Sessions.Timeline(client);
        Task? closeAsync = null;
        Task? receiveAsync = null;
        client.OnMessage += _ =>
        {
            closeAsync = client.CloseAsync();
            receiveAsync = client.ReceiveAsync().AsTask();
            client.Close(4000, "from the handler");
        };
        await client.SendAsync("close me").Within(Sessions.Bound, "SendAsync");
        var close = await timeline.ClosedAsync("the close event after Close(4000) in OnMessage", TimeSpan.FromSeconds(3));
        foreach (var (what, task) in new[] { ("CloseAsync", closeAsync), ("ReceiveAsync", receiveAsync) })
        {
            Check.True(task is not null, $"the OnMessage handler did not run ({what})", Handlers);
            Check.True(task.IsFaulted && task.Exception!.InnerException is InvalidOperationException,
                $"{what} called in OnMessage: expected it to fail at once with InvalidOperationException, got {(task.IsFaulted ? task.Exception!.InnerException!.GetType().Name : task.Status.ToString())}", Handlers);
        }
        Check.Equal(close, new CloseEvent(4000, "", true), "the close event after Close(4000, \"from the handler\") in OnMessage (the server echoes the code)", Handlers);
    }

    [Fact, Graded(1, Hint = Handlers)]
    public async Task An_exception_in_an_OnMessage_handler_does_not_break_the_connection()
    {
        await using var server = TestServer.Start();
        await using var client = await ConnectAsync(server.Ws("/echo").ToString(), Sessions.Fast(), "step 4: ConnectAsync to /echo");
        client.OnMessage += e =>
        {
            if (e.Data is "boom")
                throw new InvalidOperationException("a bug in the application's handler (thrown on purpose by the test)");
        };
        await client.SendAsync("boom").Within(Sessions.Bound, "SendAsync(\"boom\")");
        await client.SendAsync("after").Within(Sessions.Bound, "SendAsync(\"after\")");
        var first = await client.ReceiveAsync().Within(Sessions.Bound, "the echo of \"boom\"", server.Context);
        var second = await client.ReceiveAsync().Within(Sessions.Bound, "the echo of \"after\", after the handler threw", server.Context);
        Check.True(first?.Text == "boom" && second?.Text == "after", $"the messages after a handler threw: expected \"boom\" then \"after\", got {first}, {second}", Handlers);
        Check.Equal(client.ReadyState, ConnectionState.Open, "ReadyState after a handler threw", Handlers);
        var close = await client.CloseAsync().Within(Sessions.Bound, "CloseAsync");
        Check.Equal(close, new CloseEvent(1000, "", true), "the close event", Handlers);
    }

    [Fact, Graded(1, Hint = Closing)]
    public async Task DisposeAsync_closes_with_1000_and_waits_for_the_end()
    {
        ClientFrame? frame = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            frame = await c.ReadFrameAsync("the client's close on DisposeAsync", TimeSpan.FromSeconds(3));
            await c.SendCloseAsync(frame.CloseCode ?? 1000);
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        var client = await ConnectAsync(server.Url("/"), Sessions.Fast(), "step 4: ConnectAsync");
        await client.DisposeAsync().AsTask().Within(TimeSpan.FromSeconds(3), "DisposeAsync");
        Check.True(frame is { Opcode: 8, CloseCode: 1000, Masked: true }, $"the frame DisposeAsync sent: expected a masked close 1000, got {frame?.ToString() ?? "nothing"}", Closing);
        Check.Equal(client.ReadyState, ConnectionState.Closed, "ReadyState when DisposeAsync returned", Closing + " DisposeAsync waits for the end.");
        var ended = client.Completion.IsCompletedSuccessfully ? await client.Completion : null;
        Check.True(ended == new CloseEvent(1000, "", true),
            $"Completion when DisposeAsync returned: expected 1000, clean, got {ended?.ToString() ?? client.Completion.Status.ToString()}", Closing);
        await server.ScriptsFinishedAsync();
    }

    [Fact, Graded(1, Hint = Connect)]
    public async Task ConnectAsync_throws_the_handshake_failure_a_socket_error_or_the_cancellation()
    {
        await using var refusing = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync();
            await c.SendAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        var refused = await Sessions.ThrowsAsync<HandshakeFailedException>(() => WebSocketClient.ConnectAsync(refusing.Url("/nowhere"), Sessions.Fast()), Sessions.Bound,
            "ConnectAsync to a server that answers 404", Connect);
        Check.Equal(refused.Failure, HandshakeFailure.NotSwitchingProtocols, "HandshakeFailedException.Failure for a 404", Connect);

        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(Loopback.AnyPort());
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        await Sessions.ThrowsAsync<SocketException>(() => WebSocketClient.ConnectAsync($"ws://127.0.0.1:{closedPort}/", Sessions.Fast()), Sessions.Bound,
            "ConnectAsync to a port where nobody listens", Connect);

        await using var silent = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(5)); // never answers
        });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        // A 10 s connect timeout: an end within 2 s is the cancellation's doing.
        await Sessions.ThrowsAsync<OperationCanceledException>(
            () => WebSocketClient.ConnectAsync(silent.Url("/"), Sessions.Fast() with { ConnectTimeout = TimeSpan.FromSeconds(10) }, cancel.Token),
            TimeSpan.FromSeconds(2), "ConnectAsync cancelled after 200 ms while the server does not answer", Connect);
    }
}
