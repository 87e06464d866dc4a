namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The client against a server in another language that this course did
/// not write (notebook 07 §9): every length form, 16 MiB, fragments with a
/// ping between them, pings answered, and closes started by either side.
/// The server is a script in peers/ that reports what it saw as JSON lines,
/// which the tests check. Each test runs once per peer: python-websockets
/// (Debian's python3-websockets 10.4, peers/python_server.py) and Node's ws
/// (Debian's node-ws 8.11, peers/node_server.js).
/// </summary>
public sealed class InteropPythonAndNodeTests
{
    private const string Read = "Lab 07 · steps 4-7 (WebSocketClient: RunAsync, Send, Close, ReceiveAsync) against a server in another language. Notebook 07 §9; RFC 6455 §5.2 (lengths), §5.4 (fragments), §5.5.2-§5.5.3 (ping, pong), §7 (closing).";

    [SkippableTheory, Graded(2, Hint = Read), InlineData("python"), InlineData("node")]
    public async Task The_peer_echoes_text_and_binary_at_every_length_form(string slug)
    {
        var (tool, _) = Peer(slug);
        tool.SkipUnlessAvailable();
        await using var peer = await tool.StartAsync();
        await using var client = await Interop.ConnectAsync(peer.Url("/echo"), peer.Context, Read);
        foreach (var type in new[] { MessageType.Text, MessageType.Binary })
            foreach (int size in Interop.Sizes)
                await Interop.EchoAsync(client, Interop.Payload(type, size), peer.Context, Read);
        var close = await Interop.CloseAsync(client, 1000, "", peer.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "step 6: the close event after CloseAsync(1000)", $"{Read}\n{peer.Context()}");
        var report = await peer.EventAsync("/echo", "closed", "the client's close");
        Check.Equal(Interop.Status(report, "received"), (1000, ""), $"the close {tool.Name} received (code, reason)", $"{Read}\n{peer.Context()}");
    }

    [SkippableTheory, Graded(1, Hint = Read), InlineData("python"), InlineData("node")]
    public async Task The_peer_echoes_16_MiB_of_text_and_of_binary(string slug)
    {
        var (tool, _) = Peer(slug);
        tool.SkipUnlessAvailable();
        await using var peer = await tool.StartAsync();
        await using var client = await Interop.ConnectAsync(peer.Url("/echo"), peer.Context, Read);
        foreach (var type in new[] { MessageType.Text, MessageType.Binary })
            await Interop.EchoAsync(client, Interop.Large(type), peer.Context,
                Read + " The client's limit (WebSocketClientOptions.ClientDefaults) is 64 MiB; the server's here is 32 MiB.", Interop.LargeBound);
    }

    [SkippableTheory, Graded(2, Hint = Read), InlineData("python"), InlineData("node")]
    public async Task Messages_the_peer_sends_in_fragments_arrive_whole_and_the_ping_between_them_is_answered(string slug)
    {
        var (tool, fragmentUnit) = Peer(slug);
        tool.SkipUnlessAvailable();
        await using var peer = await tool.StartAsync();
        // The server sends each message back in frames of 7 bytes (Node's ws: the text is cut inside its 2-, 3- and 4-byte characters)
        // or 7 characters (python-websockets, which ends with an empty final frame).
        await using var client = await Interop.ConnectAsync(peer.Url("/fragments?size=7"), peer.Context, Read);
        var text = Message.FromText(Interop.Text(100));
        var binary = Message.FromBinary(Interop.Bytes(1000, seed: 7));
        await client.SendAsync(text).Within(Loopback.DefaultBound, "SendAsync of a text message", peer.Context);
        await client.SendAsync(binary).Within(Loopback.DefaultBound, "SendAsync of a binary message", peer.Context);
        var got = new List<Message>();
        await Bounded.RunAsync(Loopback.DefaultBound, "the two fragmented messages through await foreach", async ct =>
        {
            await foreach (var message in client.ReceiveAllAsync(ct))
            {
                got.Add(message);
                if (got.Count == 2)
                    break;
            }
        }, peer.Context);
        Check.Equal(got.Count, 2, "step 7: messages from await foreach before the connection ended", $"{Read}\n{peer.Context()}");
        Interop.SameMessage(got[0], text, $"the text message sent back in 7-{fragmentUnit} fragments", Read + " The pump joins the fragments of a message (Lab 05's assembler) before the application sees it; a fragment may end inside a character, only the whole message must be UTF-8 (§5.6, §8.1).");
        Interop.SameMessage(got[1], binary, "the binary message sent back in 7-byte fragments", Read);
        foreach (var (n, type, length) in new[] { (1, "text", 100), (2, "binary", 1000) })
        {
            var report = await peer.EventAsync("/fragments", "fragmented", $"the {type} message it sent in fragments", occurrence: n);
            Check.Equal((report.GetProperty("type").GetString(), report.GetProperty("length").GetInt32(), report.GetProperty("pongs").GetInt32()), (type, length, 1),
                $"step 4 (the pump answers pings): what {tool.Name} reports of the {type} message it sent in fragments (type, length, pongs to the ping it sent between the first two fragments)",
                $"{Read} §5.4: a control frame may come between the fragments of a message; §5.5.2: a ping is answered at once, with its payload.\n{peer.Context()}");
            Check.True(report.GetProperty("frames").GetInt32() > 2, $"{tool.Name} sent the {type} message in {report.GetProperty("frames")} frames; more than 2 were expected", peer.Context());
        }
        await Interop.CloseAsync(client, 1000, "", peer.Context);
    }

    [SkippableTheory, Graded(2, Hint = Read), InlineData("python"), InlineData("node")]
    public async Task The_peer_s_pings_are_answered_with_their_payload(string slug)
    {
        var (tool, _) = Peer(slug);
        tool.SkipUnlessAvailable();
        await using var peer = await tool.StartAsync();
        // The server sends "ping 1", "ping 2", "ping 3", each awaiting the pong with the same payload (5 s), then "pongs: 3 of 3".
        await using var client = await Interop.ConnectAsync(peer.Url("/ping?count=3"), peer.Context, Read);
        var message = await Interop.ReceiveAsync(client, $"{tool.Name}'s \"pongs: 3 of 3\" after its 3 pings", peer.Context, Read + " Each ping is answered by a pong with the same payload (§5.5.2); the pump does it, the application never sees a ping.");
        Check.Equal(message.Text, "pongs: 3 of 3", $"step 7: the text {tool.Name} sent after its pings", $"{Read}\n{peer.Context()}");
        var report = await peer.EventAsync("/ping", "pongs", "the pongs it received");
        Check.Equal(report.GetProperty("count").GetInt32(), 3, $"pongs {tool.Name} matched to its pings", $"{Read}\n{peer.Context()}");
        await Interop.CloseAsync(client, 1000, "", peer.Context);
    }

    [SkippableTheory, Graded(1, Hint = Read), InlineData("python"), InlineData("node")]
    public async Task A_close_started_by_the_peer_reaches_OnClose_with_its_code_and_reason(string slug)
    {
        var (tool, _) = Peer(slug);
        tool.SkipUnlessAvailable();
        await using var peer = await tool.StartAsync();
        // The browser's way: new, handlers, Connect; the server closes with 4000 right after the handshake.
        await using var events = new InteropEvents(peer.Url($"/close?code=4000&reason={slug}%20says%20bye"));
        events.Client.Connect();
        var close = await events.ClosedAsync(peer.Context);
        Check.Equal(close, new CloseEvent(4000, $"{slug} says bye", true), $"steps 3 and 4: the close event after {tool.Name} closed with 4000",
            $"{Read} The close event carries the code and reason of the close frame received (§7.1.5-§7.1.6); clean once the server closed TCP after the handshake (§7.1.4).\n{events.Describe()}\n{peer.Context()}");
        Check.Equal(string.Join(", then ", events.Timeline), $"open, then close 4000 \"{slug} says bye\" clean", "step 4: the client's events, in order", $"{Read} No error event for a clean close.");
        var report = await peer.EventAsync("/close", "closed", "how the connection ended");
        Check.Equal(Interop.Status(report, "received"), (4000, ""), $"the client's answering close (code, reason), as {tool.Name} received it",
            $"{Read} §5.5.1: the endpoint answering a close \"typically echos the status code it received\"; Lab 06's pump echoes the code alone.\n{peer.Context()}");
    }

    [SkippableTheory, Graded(1, Hint = Read), InlineData("python"), InlineData("node")]
    public async Task A_close_started_by_the_client_is_answered_by_the_peer_also_with_no_code(string slug)
    {
        var (tool, _) = Peer(slug);
        tool.SkipUnlessAvailable();
        await using var peer = await tool.StartAsync();
        await using (var client = await Interop.ConnectAsync(peer.Url("/echo"), peer.Context, Read))
        {
            var close = await Interop.CloseAsync(client, 4001, "bye", peer.Context);
            // Both peers answer with the code and the reason they received.
            Check.Equal(close, new CloseEvent(4001, "bye", true), "step 6: the close event after CloseAsync(4001, \"bye\")", $"{Read}\n{peer.Context()}");
            var report = await peer.EventAsync("/echo", "closed", "the client's close");
            Check.Equal(Interop.Status(report, "received"), (4001, "bye"), $"the close {tool.Name} received (code, reason)", $"{Read}\n{peer.Context()}");
        }

        // The browser's close() with no code: an empty close frame, which the server answers in kind (1005, §7.1.5).
        await using var events = new InteropEvents(peer.Url("/echo"), onOpen: client => client.Close());
        events.Client.Connect();
        var empty = await events.ClosedAsync(peer.Context);
        Check.Equal(empty, new CloseEvent(1005, "", true), "steps 2 and 6: the close event after Close() with no code", $"{Read}\n{events.Describe()}\n{peer.Context()}");
        var emptyReport = await peer.EventAsync("/echo", "closed", "the client's empty close", occurrence: 2);
        Check.Equal(Interop.Status(emptyReport, "received").Code, 1005, $"the code {tool.Name} reports for the client's close (1005: the frame had none)",
            $"{Read} Close() with no arguments sends a close frame with no payload.\n{peer.Context()}");
    }

    /// <summary>The peer for a test case, and how it cuts text into fragments (python-websockets by characters, Node's ws by bytes).</summary>
    private static (PeerTool Tool, string FragmentUnit) Peer(string slug) => slug switch
    {
        "python" => (PeerTool.Python, "character"),
        "node" => (PeerTool.Node, "byte"),
        _ => throw new ArgumentOutOfRangeException(nameof(slug), slug, "python or node"),
    };
}
