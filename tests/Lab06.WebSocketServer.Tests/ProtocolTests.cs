using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// A <see cref="WebSocketProtocol"/> driven with byte arrays alone (Sans-I/O):
/// it keeps every event and every frame to send, in order, and tells them
/// in failure messages.
/// </summary>
internal sealed class ProtocolRun
{
    private readonly List<string> story = [];

    public ProtocolRun(Role role = Role.Server, FrameLimits? limits = null)
    {
        Protocol = new WebSocketProtocol(role, limits);
        story.Add($"new WebSocketProtocol(Role.{role}{(limits is null ? "" : $", MaxMessageLength={limits.MaxMessageLength}, MaxFragments={limits.MaxFragments}")})");
    }

    public WebSocketProtocol Protocol { get; }

    /// <summary>Every event taken so far, in order.</summary>
    public List<WebSocketEvent> Events { get; } = [];

    /// <summary>Every frame the protocol decided to send so far, in order.</summary>
    public List<Frame> Sent { get; } = [];

    /// <summary>
    /// Gives <paramref name="bytes"/> to the protocol as ReceiveData does (ReceiveFrames
    /// until all are used), then takes the events and frames they produced. The loop is
    /// the test's own so that a ReceiveFrames that uses no bytes fails the test instead
    /// of spinning for ever.
    /// </summary>
    public ProtocolRun Receive(byte[] bytes, string what)
    {
        story.Add($"ReceiveData({what}: {Hex(bytes, 24)})");
        var rest = bytes.AsSpan();
        while (!rest.IsEmpty)
        {
            int used = Protocol.ReceiveFrames(rest);
            if (used <= 0 || used > rest.Length)
            {
                Take();
                Check.Fail($"step 1: ReceiveFrames of {rest.Length} bytes ({what}) returned {used}: expected 1 to {rest.Length}, the bytes it used",
                    "Notebook 06 §2. It returns after the frame that completes a message, else data.Length (also when the input is ignored, after a close or a failure): " +
                    "ReceiveData and the receive loop call it again with the rest, so 0 would loop for ever.\n" + Story());
            }
            rest = rest[used..];
        }
        return Take();
    }

    /// <summary>Records a call the test made on the protocol, for the story.</summary>
    public ProtocolRun Did(string call)
    {
        story.Add(call);
        return Take();
    }

    /// <summary>Takes what waits in TakeEvents and TakeFramesToSend.</summary>
    public ProtocolRun Take()
    {
        foreach (var e in Protocol.TakeEvents())
        {
            Events.Add(e);
            story.Add("  event " + Sig(e, 32));
        }
        foreach (var f in Protocol.TakeFramesToSend())
        {
            Sent.Add(f);
            story.Add("  to send: " + Sig(f, 32));
        }
        return this;
    }

    /// <summary>Forgets the events and frames taken so far (not the story).</summary>
    public ProtocolRun Clear()
    {
        Events.Clear();
        Sent.Clear();
        story.Add("  (the test looked at what came so far)");
        return this;
    }

    public List<string> EventSigs => [.. Events.Select(e => Sig(e))];

    public List<string> SentSigs => [.. Sent.Select(f => Sig(f))];

    /// <summary>What the test did and what came back, for a failure message.</summary>
    public string Story() =>
        "What happened:" + Environment.NewLine + string.Join(Environment.NewLine, story.TakeLast(40)) + Environment.NewLine +
        $"State={Protocol.State}, CloseSent={Protocol.CloseSent?.ToString() ?? "null"}, CloseReceived={Protocol.CloseReceived?.ToString() ?? "null"}, " +
        $"Failure={Protocol.Failure?.GetType().Name ?? "null"}, IsReceiving={Protocol.IsReceiving}";

    /// <summary>An event as one comparable line, every payload byte in hex (at most <paramref name="max"/>).</summary>
    public static string Sig(WebSocketEvent e, int max = int.MaxValue) => e switch
    {
        MessageReceived m => $"message {m.Message.Type.ToString().ToLowerInvariant()} [{Hex(m.Message.Data.Span, max)}]",
        PingReceived p => $"ping [{Hex(p.Payload.Span, max)}]",
        PongReceived p => $"pong [{Hex(p.Payload.Span, max)}]",
        CloseReceived c => $"close received {Show(c.Status)}",
        ConnectionFailed f => $"connection failed, sent {Show(f.Sent)} ({f.Cause.GetType().Name})",
        _ => e.ToString(),
    };

    /// <summary>A frame as one comparable line: opcode, FIN, the payload in hex (at most <paramref name="max"/> bytes).</summary>
    public static string Sig(Frame f, int max = int.MaxValue) =>
        $"{f.Opcode.Name()}{(f.Fin ? "" : " FIN=0")}{(f.Reserved != ReservedBits.None ? $" {f.Reserved}" : "")} [{Hex(f.Payload.Span, max)}]";

    private static string Show(CloseStatus s) => s.Code is int code ? $"{code} \"{s.Reason}\"" : "(no code)";

    public static string Hex(ReadOnlySpan<byte> bytes, int max = int.MaxValue) =>
        FrameFormatter.Hex(bytes[..Math.Min(bytes.Length, max)]) + (bytes.Length > max ? $" … ({bytes.Length} bytes)" : "");

    public static string List(IEnumerable<string> lines) => lines.Any() ? string.Join("; ", lines) : "nothing";

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>
/// Data and control frames through <see cref="WebSocketProtocol"/> (steps 1
/// and 2; notebook 06 §2-§3; RFC 6455 §5.4-§5.6): bytes in, messages and
/// pongs out, whatever way the bytes are cut.
/// </summary>
public class ProtocolTests
{
    private const string ReadData = "Notebook 06 §2 (from bytes to events); RFC 6455 §5.2 (frames), §5.4 (fragmentation), §5.6 (data frames)";
    private const string ReadControl = "Notebook 06 §3 (control frames); RFC 6455 §5.5.2 (ping), §5.5.3 (pong)";

    private static byte[] Utf8(string text) => ProtocolRun.Utf8(text);

    [Fact, Graded(2, Hint = ReadData)]
    public void A_masked_text_frame_becomes_one_MessageReceived()
    {
        var run = new ProtocolRun().Receive(ClientFrames.Text("Hello"), "a masked text frame \"Hello\"");
        Check.Equal(ProtocolRun.List(run.EventSigs), "message text [48 65 6c 6c 6f]",
            "steps 1-2: the events after a masked text frame \"Hello\"",
            ReadData + ". ReceiveFrames decodes the frame (step 1); HandleFrame gives a data frame to the assembler and a whole message becomes MessageReceived (step 2).\n" + run.Story());
        var message = ((MessageReceived)run.Events[0]).Message;
        Check.Equal(message.Text, "Hello", "steps 1-2: the text of the MessageReceived", ReadData);
        Check.Equal(ProtocolRun.List(run.SentSigs), "nothing", "steps 1-2: the frames to send after a text frame", ReadData + ". A message is for the application; the protocol answers nothing.\n" + run.Story());
        Check.Equal(run.Protocol.State, ConnectionState.Open, "steps 1-2: State after a message", ReadData);
    }

    [Fact, Graded(1, Hint = ReadData)]
    public void A_binary_message_keeps_its_type_and_bytes()
    {
        var data = ClientFrames.RandomBytes(300, seed: 6);
        var run = new ProtocolRun().Receive(ClientFrames.Binary(data), "a masked binary frame of 300 bytes (16-bit length)");
        Check.Equal(run.Events.Count, 1, "steps 1-2: the number of events after one binary frame", ReadData + "\n" + run.Story());
        var message = run.Events[0] is MessageReceived m ? m.Message : null;
        Check.True(message is not null, $"steps 1-2: expected MessageReceived, got {ProtocolRun.Sig(run.Events[0])}", ReadData);
        Check.Equal(message.Type, MessageType.Binary, "steps 1-2: the type of the message", ReadData + ". Binary stays binary (§5.6).");
        Check.True(message.Data.Span.SequenceEqual(data), "steps 1-2: the message's bytes are not the 300 bytes sent (unmasked)", ReadData + "\n" + run.Story());
    }

    [Fact, Graded(1, Hint = ReadData)]
    public void Several_frames_in_one_call_are_all_acted_on_in_order()
    {
        var bytes = ClientFrames.Glue(ClientFrames.Text("one"), ClientFrames.Ping(Utf8("p")), ClientFrames.Binary([2]), ClientFrames.Text("three"));
        var run = new ProtocolRun().Receive(bytes, "4 frames in one buffer");
        Check.Equal(ProtocolRun.List(run.EventSigs), "message text [6f 6e 65]; ping [70]; message binary [02]; message text [74 68 72 65 65]",
            "step 1: the events of text \"one\", ping \"p\", binary [02], text \"three\" given in one ReceiveData",
            ReadData + ". Loop while data is left: Decode returns how many bytes it used and at most one frame; go on with data[used..].\n" + run.Story());
    }

    /// <summary>
    /// A stream with every kind of frame (a text, a fragmented binary with a
    /// ping and a pong between its fragments, a 16-bit length, a character cut
    /// between two fragments, a close) and what it must give, written by the test.
    /// </summary>
    private static (byte[] Bytes, string Events, string Sent) Stream()
    {
        var middle = ClientFrames.RandomBytes(200, seed: 1);
        var kosme = Utf8("κόσμε"); // 2-byte characters: cut after byte 3, inside "ό"
        var bytes = ClientFrames.Glue(
            ClientFrames.Text("Hello"),
            ClientFrames.Binary([1, 2, 3], fin: false),
            ClientFrames.Ping(Utf8("p1")),
            ClientFrames.Continuation(middle, fin: false),
            ClientFrames.Pong(Utf8("x")),
            ClientFrames.Continuation([9], fin: true),
            ClientFrames.Ping([]),
            ClientFrames.Frame(Op.Text, kosme.AsSpan(0, 3), fin: false),
            ClientFrames.Continuation(kosme.AsSpan(3), fin: true),
            ClientFrames.Close(1000, "bye"));
        var events = ProtocolRun.List([
            "message text [48 65 6c 6c 6f]",
            "ping [70 31]",
            "pong [78]",
            $"message binary [{ProtocolRun.Hex([1, 2, 3, .. middle, 9])}]",
            "ping []",
            $"message text [{ProtocolRun.Hex(kosme)}]",
            "close received 1000 \"bye\"",
        ]);
        var sent = ProtocolRun.List(["pong [70 31]", "pong []", "close [03 e8]"]);
        return (bytes, events, sent);
    }

    [Fact, Graded(2, Hint = ReadData)]
    public void Any_split_of_the_input_gives_the_same_events_and_frames()
    {
        var (bytes, events, sent) = Stream();
        var whole = new ProtocolRun().Receive(bytes, "the whole stream at once");
        Check.Equal(ProtocolRun.List(whole.EventSigs), events, "steps 1-3: the events of the whole stream given at once", ReadData + "\n" + whole.Story());
        Check.Equal(ProtocolRun.List(whole.SentSigs), sent, "steps 1-3: the frames to send for the whole stream", ReadControl + "; §5.5.1 (close)\n" + whole.Story());

        var bytewise = new ProtocolRun();
        for (int i = 0; i < bytes.Length; i++)
            bytewise.Receive(bytes[i..(i + 1)], $"byte {i}");
        Check.Equal(ProtocolRun.List(bytewise.EventSigs), events, "step 1: the events of the same stream given one byte per ReceiveData",
            ReadData + ". A read may end anywhere, even inside a header: the decoder keeps what it has and resumes (notebook 05 §4).\n" + bytewise.Story());
        Check.Equal(ProtocolRun.List(bytewise.SentSigs), sent, "step 1: the frames to send for the stream given one byte at a time", ReadData + "\n" + bytewise.Story());

        for (int cut = 1; cut < bytes.Length; cut++)
        {
            var two = new ProtocolRun().Receive(bytes[..cut], $"bytes 0..{cut - 1}").Receive(bytes[cut..], $"bytes {cut}..{bytes.Length - 1}");
            if (ProtocolRun.List(two.EventSigs) != events || ProtocolRun.List(two.SentSigs) != sent)
                Check.Fail($"step 1: the stream cut in two at byte {cut} of {bytes.Length} gives other events or frames than in one piece: " +
                    $"events {ProtocolRun.List(two.EventSigs)}; to send {ProtocolRun.List(two.SentSigs)}",
                    ReadData + $". Expected events {events}; to send {sent}.\n" + two.Story());
        }
    }

    [Fact, Graded(2, Hint = ReadControl)]
    public void A_ping_is_answered_with_a_pong_carrying_its_payload()
    {
        foreach (var payload in new[] { Array.Empty<byte>(), Utf8("Hello"), ClientFrames.RandomBytes(125, seed: 125) })
        {
            var run = new ProtocolRun().Receive(ClientFrames.Ping(payload), $"a ping of {payload.Length} bytes");
            Check.Equal(ProtocolRun.List(run.SentSigs), $"pong [{ProtocolRun.Hex(payload, 200)}]",
                $"step 2: the frames to send after a ping of {payload.Length} bytes",
                ReadControl + ". \"Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response\" with \"identical Application data\": Frame.Pong(frame.Payload).\n" + run.Story());
            Check.Equal(ProtocolRun.List(run.EventSigs), $"ping [{ProtocolRun.Hex(payload, 200)}]",
                $"step 2: the events after a ping of {payload.Length} bytes", ReadControl + ". Report it too: PingReceived with its payload.\n" + run.Story());
        }
    }

    [Fact, Graded(2, Hint = ReadControl + "; §5.4")]
    public void Pings_between_fragments_are_answered_in_order_and_the_message_comes_whole()
    {
        var run = new ProtocolRun()
            .Receive(ClientFrames.Text("Hel", fin: false), "text \"Hel\", FIN=0")
            .Receive(ClientFrames.Ping(Utf8("1")), "ping \"1\"")
            .Receive(ClientFrames.Continuation("lo, ", fin: false), "continuation \"lo, \", FIN=0")
            .Receive(ClientFrames.Ping(Utf8("2")), "ping \"2\"")
            .Receive(ClientFrames.Ping(Utf8("3")), "ping \"3\"")
            .Receive(ClientFrames.Continuation("world", fin: true), "continuation \"world\", FIN=1");
        Check.Equal(ProtocolRun.List(run.SentSigs), "pong [31]; pong [32]; pong [33]",
            "step 2: the frames to send for pings \"1\", \"2\", \"3\" between the fragments of a message",
            ReadControl + ". §5.4: \"Control frames MAY be injected in the middle of a fragmented message\"; each ping gets its pong at once, in order.\n" + run.Story());
        var messages = run.Events.OfType<MessageReceived>().ToList();
        Check.Equal(messages.Count, 1, "step 2: the number of MessageReceived for one message in 3 fragments", ReadData + ". The assembler joins fragments: one message when FIN comes.\n" + run.Story());
        Check.Equal(messages[0].Message.Text, "Hello, world", "step 2: the text of the fragmented message", ReadData);
        Check.True(run.Events[^1] is MessageReceived, "step 2: the message must be the last event (it completes with the last fragment)", ReadData + "\n" + run.Story());
    }

    [Fact, Graded(1, Hint = ReadControl)]
    public void A_pong_is_reported_and_not_answered()
    {
        var run = new ProtocolRun().Receive(ClientFrames.Pong(Utf8("beat")), "an unsolicited pong \"beat\"");
        Check.Equal(ProtocolRun.List(run.EventSigs), "pong [62 65 61 74]", "step 2: the events after a pong", ReadControl + ". Report it: PongReceived (the keepalive matches it).\n" + run.Story());
        Check.Equal(ProtocolRun.List(run.SentSigs), "nothing", "step 2: the frames to send after a pong",
            ReadControl + ". \"A response to an unsolicited Pong frame is not expected.\"\n" + run.Story());
    }

    [Fact, Graded(2, Hint = ReadData + "; notebook 06 §5")]
    public void A_valid_frame_glued_before_a_bad_one_is_still_delivered()
    {
        var bytes = ClientFrames.Glue(ClientFrames.Text("ok"), ClientFrames.Ping(Utf8("p")), ClientFrames.Frame(Op.Text, Utf8("bad"), rsv: ClientFrames.Rsv1));
        var run = new ProtocolRun().Receive(bytes, "text \"ok\", ping \"p\", then a text frame with RSV1, in one buffer");
        Check.Equal(ProtocolRun.List(run.EventSigs.Take(2)), "message text [6f 6b]; ping [70]",
            "step 1: the events before the bad frame",
            ReadData + ". Call Decode, not DecodeAll: act on each frame as it comes, so what came before the bad frame still counts (DecodeAll throws and loses them).\n" + run.Story());
        Check.True(run.Events.Count == 3 && run.Events[2] is ConnectionFailed { Sent.Code: 1002 },
            $"step 1: expected the third event to be ConnectionFailed with 1002, got {ProtocolRun.List(run.EventSigs)}",
            "Notebook 06 §5; RFC 6455 §5.2: RSV1 without an extension fails the connection.\n" + run.Story());
        Check.Equal(ProtocolRun.List(run.SentSigs.Select(s => s.Split(' ')[0])), "pong; close",
            "step 1: the frames to send: the pong for the ping, then the close", ReadControl + "\n" + run.Story());
    }

    [Fact, Graded(2, Hint = ReadData)]
    public void ReceiveFrames_stops_after_each_message_so_its_answer_goes_first()
    {
        var one = ClientFrames.Text("one");
        var ping = ClientFrames.Ping("p"u8);
        var fragments = ClientFrames.Glue(ClientFrames.Text("t", fin: false), ClientFrames.Ping("q"u8), ClientFrames.Continuation("wo", fin: true));
        var close = ClientFrames.Close(1000);
        var bytes = ClientFrames.Glue(one, ping, fragments, close);
        var protocol = new WebSocketProtocol(Role.Server);

        int used = protocol.ReceiveFrames(bytes);
        Check.Equal(used, one.Length, $"step 1: ReceiveFrames of text \"one\", ping, a fragmented text with a ping inside, close ({bytes.Length} bytes): the bytes used",
            ReadData + ". Stop right after the frame that completes a message (FIN, not a control frame) and return the bytes used: the pump gives that message to the application before the rest.");
        Check.Equal(ProtocolRun.List(protocol.TakeEvents().Select(e => ProtocolRun.Sig(e))), "message text [6f 6e 65]", "step 1: the events of the first ReceiveFrames", ReadData);

        used = protocol.ReceiveFrames(bytes.AsSpan(one.Length));
        Check.Equal(used, ping.Length + fragments.Length, "step 1: the bytes used by the second ReceiveFrames (a ping, then a message in 2 fragments with a ping between them)",
            ReadData + ". A control frame does not end a message, and neither does a fragment without FIN.");
        Check.Equal(ProtocolRun.List(protocol.TakeEvents().Select(e => ProtocolRun.Sig(e))), "ping [70]; ping [71]; message text [74 77 6f]", "step 1: the events of the second ReceiveFrames", ReadData);
        Check.Equal(ProtocolRun.List(protocol.TakeFramesToSend().Select(f => ProtocolRun.Sig(f))), "pong [70]; pong [71]", "step 1: the frames to send after the second ReceiveFrames", ReadControl);

        used = protocol.ReceiveFrames(bytes.AsSpan(one.Length + ping.Length + fragments.Length));
        Check.Equal(used, close.Length, "step 1: the bytes used by the third ReceiveFrames (the close)", ReadData);
        Check.Equal(used = protocol.ReceiveFrames(ClientFrames.Text("after")), ClientFrames.Text("after").Length,
            "step 1: ReceiveFrames after the peer's close: all the bytes are used (and ignored)", ReadData + ". Input after a close or a failure is used and ignored: return data.Length.");
        Check.Equal(protocol.TakeEvents().Count, 1, "step 1: the events after the close and the ignored text (the close only)", ReadData);
    }

    [Fact, Graded(1, Hint = ReadData)]
    public void ReceiveFrames_uses_all_of_an_incomplete_frame()
    {
        var frame = ClientFrames.Text("Hello, world");
        var protocol = new WebSocketProtocol(Role.Server);
        int used = protocol.ReceiveFrames(frame.AsSpan(0, 9));
        Check.Equal(used, 9, "step 1: ReceiveFrames of the first 9 bytes of a 18-byte frame: the bytes used",
            ReadData + ". The decoder keeps a partial frame: all of the input is used, and no message is done yet.");
        used = protocol.ReceiveFrames(frame.AsSpan(9));
        Check.Equal(used, 9, "step 1: ReceiveFrames of the other 9 bytes: the bytes used", ReadData);
        Check.True(protocol.TakeEvents() is [MessageReceived { Message.Text: "Hello, world" }], "step 1: the message from a frame in two pieces", ReadData);
    }

    [Fact, Graded(1, Hint = ReadData)]
    public void An_empty_input_changes_nothing()
    {
        var protocol = new WebSocketProtocol(Role.Server);
        Check.Equal(protocol.ReceiveFrames([]), 0, "step 1: ReceiveFrames of no bytes: the bytes used", ReadData + ". Nothing to decode: return data.Length, 0.");
        protocol.ReceiveData([]);
        Check.True(!protocol.HasEvents && !protocol.HasFramesToSend && protocol.State == ConnectionState.Open,
            "step 1: no bytes must give no event, no frame, and leave the connection open", ReadData + ". EOF is ReceiveEof, not an empty read.");
        var run = new ProtocolRun();
        run.Protocol.ReceiveData([]);
        run.Receive(ClientFrames.Text("after"), "text \"after\"");
        Check.Equal(ProtocolRun.List(run.EventSigs), "message text [61 66 74 65 72]", "step 1: the events of no bytes, then a text frame", ReadData + "\n" + run.Story());
    }
}
