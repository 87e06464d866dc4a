using System.Net.Sockets;
using Lab06.WebSocketServer.Tests;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The life of a connection as a script sees it (notebook 07 §3 and §4;
/// steps 4 and 6): ReadyState CONNECTING 0 → OPEN 1 → CLOSING 2 → CLOSED 3,
/// and the events in the browser's order: open, messages, error (only when
/// not clean), close, always last and exactly once. Whole sessions are
/// kept as timelines in snapshots.
/// </summary>
public sealed class EventOrderTests
{
    private const string Order =
        "Lab 07 · step 4 (WebSocketClient.RunAsync and Finish): the handshake, then ReadyState OPEN and OnOpen, then the pump raises each message; at the end Finish sets ReadyState CLOSED, " +
        "raises OnError only when the close was not clean, then OnClose, last and once. Notebook 07 §3 (the event timeline), WHATWG WebSockets \"feedback from the protocol\", RFC 6455 §7.1.4.";

    private const string Closing =
        "Lab 07 · step 6 (Close): while OPEN, the pump's CloseAsync(status) (ReadyState CLOSING at once; OnClose when the server answered and closed TCP); " +
        "while CONNECTING, connecting.Cancel(): the connection fails (error, then close 1006) and never opens. Notebook 07 §4, RFC 6455 §7.1.2, WHATWG WebSockets close().";

    private static string Show(ConnectionState state) => Sessions.Show(state);

    /// <summary>Checks the rules every timeline obeys: open at most once, close exactly once and last, error only when not clean and right before close.</summary>
    private static void CheckShape(Sessions.Timeline timeline, bool opened, bool clean, string why)
    {
        var lines = timeline.Lines.Where(l => l.StartsWith("open", StringComparison.Ordinal) || l.StartsWith("message", StringComparison.Ordinal)
            || l.StartsWith("error", StringComparison.Ordinal) || l.StartsWith("close ", StringComparison.Ordinal)).ToList();
        Check.Equal(timeline.Opens, opened ? 1 : 0, "OnOpen events", why + (opened ? "" : " OnOpen never fires for a connection that did not open.") + "\n" + timeline.Describe());
        Check.Equal(timeline.Closes, 1, "OnClose events", why + " OnClose fires exactly once, whatever the end.\n" + timeline.Describe());
        Check.True(lines.Count > 0 && lines[^1].StartsWith("close ", StringComparison.Ordinal), "OnClose is not the last event", why + "\n" + timeline.Describe());
        Check.True(lines[^1].EndsWith($"({Show(ConnectionState.Closed)})", StringComparison.Ordinal),
            $"ReadyState in OnClose: expected {Show(ConnectionState.Closed)}, got the line {Visible.Quoted(lines[^1])}", Order + "\n" + timeline.Describe());
        Check.Equal(timeline.Errors, clean ? 0 : 1, "OnError events", why + (clean ? " A clean close raises no error event." : " A close that is not clean comes after exactly one error event.") + "\n" + timeline.Describe());
        if (!clean)
            Check.True(lines.Count >= 2 && lines[^2] == $"error ({Show(ConnectionState.Closed)})",
                "OnError did not come right before OnClose, with ReadyState CLOSED", Order + "\n" + timeline.Describe());
        if (opened)
            Check.Equal(lines[0], $"open ({Show(ConnectionState.Open)})", "the first event", Order + " OnOpen comes first, with ReadyState OPEN.\n" + timeline.Describe());
    }

    [Fact, Graded(3, Hint = Order)]
    public async Task A_whole_session_with_the_echo_server_matches_the_snapshot()
    {
        await using var server = TestServer.Start();
        var url = server.Ws("/echo").ToString();
        await using var client = new WebSocketClient(url, Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        timeline.Note($"new WebSocketClient(\"{url}\") → {Show(client.ReadyState)}");
        client.OnOpen += () =>
        {
            timeline.Note($"protocol {Visible.Quoted(client.Protocol)}, extensions {Visible.Quoted(client.Extensions)}");
            client.Send("hello");
            timeline.Note("send \"hello\"");
            client.Send(new byte[] { 1, 2, 3 });
            timeline.Note("send binary 3 bytes");
        };
        client.OnMessage += _ =>
        {
            if (timeline.Messages.Count == 2)
            {
                client.Close(1000, "done");
                timeline.Note($"close(1000, \"done\") → {Show(client.ReadyState)}");
            }
        };
        timeline.Note("connect()");
        client.Connect();

        var close = await timeline.ClosedAsync("steps 4-6: the whole session with /echo to end (open, 2 echoes, close)");
        CheckShape(timeline, opened: true, clean: true, Order);
        Check.Equal(close, new CloseEvent(1000, "", true), "the close event after Close(1000, \"done\") to /echo",
            Closing + " The server answers with 1000 and no reason: the event reports the server's close frame (step 3).");
        var closing = timeline.Lines.FirstOrDefault(l => l.StartsWith("close(", StringComparison.Ordinal)) ?? "";
        Check.True(closing.EndsWith(Show(ConnectionState.Closing), StringComparison.Ordinal),
            $"ReadyState right after Close(1000, \"done\"): expected {Show(ConnectionState.Closing)}, the timeline says {Visible.Quoted(closing)}", Closing);
        await client.Completion.Within(Sessions.Bound, "Completion after OnClose");
        await client.DisposeAsync(); // a second close does nothing: still one close event
        Check.Equal(timeline.Closes, 1, "OnClose events after DisposeAsync", Order + " DisposeAsync after the end closes nothing more.");

        timeline.ToString().ShouldMatchSnapshot();
    }

    [Fact, Graded(2, Hint = Order)]
    public async Task A_session_the_server_breaks_ends_with_error_then_close_1006_as_in_the_snapshot()
    {
        ClientFrame? answer = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendTextAsync("before");
            await c.SendFrameAsync(0x81, "masked"u8, key: 0x0A0B0C0D); // RFC 6455 §5.1: a server MUST NOT mask
            answer = await c.ReadFrameAsync("the client's close after a masked server frame", TimeSpan.FromSeconds(3));
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        var url = server.Url("/");
        await using var client = new WebSocketClient(url, Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        timeline.Note($"new WebSocketClient(\"{url}\") → {Show(client.ReadyState)}");
        timeline.Note("connect()");
        client.Connect();

        var close = await timeline.ClosedAsync("step 4: the end of a connection whose server masked a frame");
        await server.ScriptsFinishedAsync();
        CheckShape(timeline, opened: true, clean: false, Order);
        Check.Equal(close, new CloseEvent(1006, "", false), "the close event after the client failed the connection",
            Order + " The client sent 1002 but received no close frame: its event is 1006, not clean (RFC 6455 §7.1.5, step 3).");
        Check.True(answer is { Opcode: 8, CloseCode: 1002, Masked: true }, $"the client's answer to a masked frame: expected a masked close 1002, got {answer?.ToString() ?? "nothing"}",
            "RFC 6455 §5.1: a client closes with 1002 on a masked frame (Lab 06's protocol in the client role).");
        Check.True(timeline.Error?.Exception is WebSocketProtocolException,
            $"the error event's Exception: expected the WebSocketProtocolException behind the failure, got {timeline.Error?.Exception?.GetType().Name ?? "none"}", Order);

        timeline.ToString().ShouldMatchSnapshot();
    }

    [Fact, Graded(1, Hint = Order)]
    public async Task A_refused_handshake_or_no_server_raises_error_and_close_1006_but_never_open()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync();
            await c.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        await using (var refused = new WebSocketClient(server.Url("/chat"), Sessions.Fast()))
        {
            var timeline = new Sessions.Timeline(refused);
            refused.Connect();
            var close = await timeline.ClosedAsync("step 4: the end of a connection whose handshake got 403");
            CheckShape(timeline, opened: false, clean: false, Order + " A refused handshake: NeverOpened (error, then close 1006).");
            Check.Equal(close, new CloseEvent(1006, "", false), "the close event after a 403", Order);
            Check.Equal(refused.ReadyState, ConnectionState.Closed, "ReadyState after a refused handshake", Order);
            Check.True(timeline.Error?.Exception is HandshakeFailedException { Failure: HandshakeFailure.NotSwitchingProtocols },
                $"the error event's Exception after a 403: expected HandshakeFailedException (NotSwitchingProtocols), got {timeline.Error?.Exception?.GetType().Name ?? "none"}", Order);
        }

        int closedPort;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(Loopback.AnyPort());
            closedPort = ((IPEndPoint)probe.LocalEndPoint!).Port; // nobody listens there once it is closed
        }
        await using var nobody = new WebSocketClient($"ws://127.0.0.1:{closedPort}/echo", Sessions.Fast());
        var none = new Sessions.Timeline(nobody);
        nobody.Connect();
        var end = await none.ClosedAsync("step 4: the end of a connection to a port where nobody listens");
        CheckShape(none, opened: false, clean: false, Order + " No server: NeverOpened (error, then close 1006).");
        Check.Equal(end, new CloseEvent(1006, "", false), "the close event with no server", Order);
        Check.True(none.Error?.Exception is SocketException, $"the error event's Exception with no server: expected a SocketException, got {none.Error?.Exception?.GetType().Name ?? "none"}", Order);
    }

    [Fact, Graded(1, Hint = Closing)]
    public async Task Close_while_connecting_fails_the_connection_at_once_and_it_never_opens()
    {
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync();
            requested.TrySetResult();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(5)); // never answers
        });
        // A long connect timeout: an end within 2 s is Close's doing, not the timeout's.
        var options = Sessions.Fast() with { ConnectTimeout = TimeSpan.FromSeconds(10) };
        await using var client = new WebSocketClient(server.Url("/echo"), options);
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.WhileConnectionLivesAsync(requested.Task, "the client's handshake request to reach the server");

        client.Close();
        var state = client.ReadyState;
        Check.True(state is ConnectionState.Closing or ConnectionState.Closed, $"ReadyState right after Close() while CONNECTING: expected CLOSING (2), got {Show(state)}",
            Closing + " The browser sets readyState to CLOSING and fails the connection.");
        var close = await timeline.ClosedAsync("step 6: the close event after Close() while the handshake waited (the connect timeout is 10 s)", TimeSpan.FromSeconds(2));
        CheckShape(timeline, opened: false, clean: false, Closing);
        Check.Equal(close, new CloseEvent(1006, "", false), "the close event after Close() while CONNECTING", Closing);
        await server.ScriptsFinishedAsync();
    }

    [Fact, Graded(1, Hint = Order)]
    public async Task A_close_from_the_server_gives_its_code_and_reason_and_is_clean()
    {
        ClientFrame? answer = null;
        PeerClose? how = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendTextAsync("hi");
            await c.SendCloseAsync(4000, "bye from the server");
            answer = await c.ReadFrameAsync("the client's answer to the server's close", TimeSpan.FromSeconds(3));
            c.CloseOutput(); // §7.1.1: the server closes TCP first
            how = await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        await using var client = new WebSocketClient(server.Url("/"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        var close = await timeline.ClosedAsync("step 4: the close event after the server's close 4000");
        await server.ScriptsFinishedAsync();

        CheckShape(timeline, opened: true, clean: true, Order);
        Check.Equal(close, new CloseEvent(4000, "bye from the server", true), "the close event after the server closed with 4000 \"bye from the server\"", Order);
        Check.True(answer is { Opcode: 8, CloseCode: 4000, Masked: true }, $"the client's answer to the server's close 4000: expected a masked close 4000, got {answer?.ToString() ?? "nothing"}",
            "RFC 6455 §5.5.1: the endpoint answers with a close frame, \"typically echoing the status code it received\".");
        Check.Equal(how, PeerClose.Fin, "how the client closed TCP after the server's FIN", "RFC 6455 §7.1.1: after the closing handshake, the client closes its side once the server has closed.");
    }

    [Fact, Graded(1, Hint = Order)]
    public async Task A_dropped_TCP_connection_gives_error_then_close_1006()
    {
        var gotIt = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendTextAsync("last words");
            await gotIt.Task.WaitAsync(TimeSpan.FromSeconds(5));
            c.Reset(); // RST: no close frame, no FIN
        });
        await using var client = new WebSocketClient(server.Url("/"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.OnMessage += _ => gotIt.TrySetResult();
        client.OnClose += _ => gotIt.TrySetResult(); // an end before the message: the script need not wait
        client.Connect();
        var close = await timeline.ClosedAsync("step 4: the close event after the server reset TCP");
        CheckShape(timeline, opened: true, clean: false, Order + " TCP ended with no closing handshake.");
        Check.Equal(close, new CloseEvent(1006, "", false), "the close event after a reset", Order + " RFC 6455 §7.1.5: no close frame received → 1006.");
        Check.Equal(timeline.Messages.Count, 1, "messages before the reset", Order);
    }

    [Fact, Graded(1, Hint = Closing)]
    public async Task Close_with_no_code_sends_an_empty_close_frame_and_the_echo_reports_1005()
    {
        ClientFrame? frame = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            frame = await c.ReadFrameAsync("the client's close after Close()", TimeSpan.FromSeconds(3));
            await c.SendFrameAsync(0x88, []); // the echo: an empty close
            c.CloseOutput();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(3));
        });
        await using var client = new WebSocketClient(server.Url("/"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.OnOpen += () => client.Close();
        client.Connect();
        var close = await timeline.ClosedAsync("step 6: the close event after Close() with no code");
        await server.ScriptsFinishedAsync();

        Check.True(frame is { Opcode: 8, Fin: true, Masked: true, Payload.Length: 0 }, $"the frame Close() sent: expected a masked close with an empty payload, got {frame?.ToString() ?? "nothing"}",
            Closing + " Close() with no code and no reason sends CloseStatus.Empty (step 2).");
        CheckShape(timeline, opened: true, clean: true, Closing);
        Check.Equal(close, new CloseEvent(1005, "", true), "the close event after an empty close was echoed", Closing + " RFC 6455 §7.1.5: a close frame with no code is reported as 1005.");
    }

    [Fact, Graded(1, Hint = Closing)]
    public async Task Close_before_Connect_ends_the_client_once_and_Connect_then_refuses()
    {
        await using var client = new WebSocketClient("ws://127.0.0.1:9/echo", Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.Close();
        var close = await timeline.ClosedAsync("step 6: the close event after Close() before Connect()");
        Sessions.Throws<InvalidOperationException>(() => client.Connect(), "Connect() after Close()",
            Closing + " A client closed before it connected is CLOSED for good: Connect must refuse, or the close events would fire a second time.");
        Check.Equal(client.ReadyState, ConnectionState.Closed, "ReadyState after Close() before Connect()", Closing);
        CheckShape(timeline, opened: false, clean: false, Closing);
        Check.Equal(close, new CloseEvent(1006, "", false), "the close event of a client closed before it connected", Closing + " RFC 6455 §7.1.5: no close frame received → 1006.");
    }
}
