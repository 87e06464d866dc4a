using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 5: fragmentation (RFC 6455 §5.4). Fragments make one
/// message, control frames may come between them, and every broken order
/// (a continuation with no message, a new message inside one, a fragmented
/// control frame) fails the connection with 1002.
/// </summary>
public class ConformanceFragmentationTests
{
    private const string Read = Conformance.Read + "; notebook 06 §2-§3; RFC 6455 §5.4 (fragmentation)";

    [Fact, Graded(1, Hint = Read)]
    public async Task Fragmented_text_and_binary_messages_are_echoed_whole()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Text("Hel", fin: false), ClientFrames.Continuation("lo, ", fin: false), ClientFrames.Continuation("world", fin: true)),
            "text \"Hel\" + \"lo, \" + \"world\" in 3 fragments");
        await Conformance.ExpectTextEchoAsync(client, "Hello, world", "a text message in 3 fragments", why: Read + ". The fragments, joined, are one message");

        var data = ClientFrames.RandomBytes(70_000, seed: 5);
        await client.SendAsync(ClientFrames.Binary(data.AsSpan(0, 1000), fin: false), "binary fragment 1 (1000 bytes)");
        await client.SendAsync(ClientFrames.Continuation([], fin: false), "an empty continuation");
        await client.SendAsync(ClientFrames.Continuation(data.AsSpan(1000), fin: false), "continuation of 69000 bytes");
        await client.SendAsync(ClientFrames.Continuation([], fin: true), "an empty final continuation");
        await Conformance.ExpectEchoAsync(client, Op.Binary, data, "a binary message in 4 fragments (two of them empty), in 4 writes", why: Read);
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read + "; §5.5")]
    public async Task Pings_between_fragments_get_their_pongs_before_the_message_is_echoed()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Text("fragment 1, ", fin: false), "text fragment 1");
        await client.SendAsync(ClientFrames.Ping("A"u8), "ping \"A\" inside the message");
        var a = await client.ReceiveFrameAsync("the pong for ping \"A\", sent before the message ended (step 2)");
        Check.True(a.Opcode == Opcode.Pong && Encoding.UTF8.GetString(a.Payload.Span) == "A",
            $"step 2: expected pong \"A\" while the message is still open, got {a}",
            Read + ": \"Control frames MAY be injected in the middle of a fragmented message\"; answer at once, not when the message ends.\n" + client.Story());
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Continuation("fragment 2, ", fin: false), ClientFrames.Ping("B"u8), ClientFrames.Pong("C"u8),
            ClientFrames.Continuation("fragment 3", fin: true)), "fragment 2, ping \"B\", pong \"C\", fragment 3 in one write");
        var b = await client.ReceiveFrameAsync("the pong for ping \"B\" (step 2)");
        Check.True(b.Opcode == Opcode.Pong && Encoding.UTF8.GetString(b.Payload.Span) == "B",
            $"step 2: expected pong \"B\" before the echo (the message ends after the ping), got {b}", Read + "\n" + client.Story());
        await Conformance.ExpectTextEchoAsync(client, "fragment 1, fragment 2, fragment 3", "the message with control frames between its fragments", why: Read);
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_continuation_with_no_message_open_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        await Conformance.ExpectFailureAsync(server, ClientFrames.Continuation("orphan", fin: true), 1002, "a continuation frame with no message started",
            Read + ": a continuation continues a message; with none open it breaks the rule");
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Text("done"), ClientFrames.Continuation("late", fin: false)), "a complete text message, then a continuation (FIN=0), in one write");
        await Conformance.ExpectTextEchoAsync(client, "done", "the complete message before the stray continuation", "step 1",
            Read + ". Act on a message before what comes behind it: its echo is queued before the failure's close (WebSocketProtocol.ReceiveFrames)");
        await client.ExpectFailureAsync(1002, "a continuation after a complete message", Conformance.Steps, Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_new_data_frame_inside_a_fragmented_message_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        await Conformance.ExpectFailureAsync(server, ClientFrames.Glue(ClientFrames.Text("open", fin: false), ClientFrames.Text("new")), 1002,
            "text (FIN=0), then a new text frame", Read + ": \"fragments of one message MUST NOT be interleaved\" with another's");
        await Conformance.ExpectFailureAsync(server, ClientFrames.Glue(ClientFrames.Binary([1], fin: false), ClientFrames.Text("t", fin: false)), 1002,
            "binary (FIN=0), then a text frame (FIN=0)", Read);
    }

    [Fact, Graded(1, Hint = Read + "; §5.5")]
    public async Task A_fragmented_control_frame_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        foreach (var (opcode, name) in new[] { (Op.Ping, "ping"), (Op.Pong, "pong"), (Op.Close, "close") })
        {
            var payload = opcode == Op.Close ? ClientFrames.ClosePayload(1000, []) : "x"u8.ToArray();
            await Conformance.ExpectFailureAsync(server, ClientFrames.Frame(opcode, payload, fin: false), 1002, $"a {name} frame without FIN",
                Read + "; §5.5: \"Control frames ... MUST NOT be fragmented\"");
        }
    }
}
