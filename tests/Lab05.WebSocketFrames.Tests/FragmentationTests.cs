using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Messages from fragments (RFC 6455 §5.4, §8.1; notebook 05 §7; step 9,
/// <see cref="MessageAssembler.Add"/>, with the decoder of step 8 where bytes
/// come in): fragments are joined, control frames between them pass by,
/// text is checked as it comes and fails with 1007 at the first fragment
/// that cannot be UTF-8.
/// </summary>
public class FragmentationTests
{
    private const string Read = "Notebook 05 §7; RFC 6455 §5.4 (fragmentation), §8.1 (UTF-8 in text messages)";

    private static Frame Text(string hex, bool fin) => new(Opcode.Text, Wire.Bytes(hex), fin);
    private static Frame Continuation(string hex, bool fin) => new(Opcode.Continuation, Wire.Bytes(hex), fin);

    /// <summary>Adds the frames in order; all but the last must give no message; returns the last one's.</summary>
    private static Message LastGivesTheMessage(MessageAssembler assembler, Frame[] frames, string what)
    {
        for (int i = 0; i < frames.Length - 1; i++)
        {
            var early = assembler.Add(frames[i]);
            Check.True(early is null,
                $"step 9: MessageAssembler.Add of fragment {i + 1} of {frames.Length} ({what}, FIN=0): expected null (the message is not complete), got {early}",
                Read + ". Without FIN, keep the payload and return null.");
            Check.True(assembler.IsMidMessage, $"step 9: MessageAssembler.IsMidMessage after fragment {i + 1} of {frames.Length} ({what}): expected true", Read + ". Remember the message's type from its first frame.");
        }
        var message = assembler.Add(frames[^1]);
        Check.True(message is not null, $"step 9: MessageAssembler.Add of the last fragment ({what}, FIN=1): expected the message, got null", Read + ". With FIN, join the fragments and return the Message.");
        Check.True(!assembler.IsMidMessage, $"step 9: MessageAssembler.IsMidMessage after the last fragment ({what}): expected false", Read + ". Clear() after the message is returned.");
        return message;
    }

    private static void ExpectMessage(Message message, MessageType type, ReadOnlySpan<byte> data, string what)
    {
        Check.Equal(message.Type, type, $"step 9: the type of the message ({what})", Read + ". The first frame's opcode (text or binary) is the message's type; continuation frames have none.");
        PayloadExpect.SameBytes(message.Data.Span, data, $"step 9: the data of the message ({what})", Read + ". The payloads of the fragments, in order, with nothing between them.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Joins_text_and_binary_fragments_into_one_message()
    {
        var assembler = new MessageAssembler();
        var hello = LastGivesTheMessage(assembler, [Frame.Text("Hel", fin: false), Frame.Continuation("lo"u8.ToArray(), fin: true)], "\"Hel\" + \"lo\"");
        ExpectMessage(hello, MessageType.Text, "Hello"u8, "\"Hel\" + \"lo\"");
        Check.Equal(hello.Text, "Hello", "step 9: the text of \"Hel\" + \"lo\"", Read);

        var parts = new[] { "one ", "two ", "three ", "four ", "five" };
        var frames = parts.Select((p, i) => i == 0 ? Frame.Text(p, fin: false) : Frame.Continuation(Encoding.UTF8.GetBytes(p), fin: i == parts.Length - 1)).ToArray();
        var five = LastGivesTheMessage(assembler, frames, "five text fragments, right after the first message");
        ExpectMessage(five, MessageType.Text, Encoding.UTF8.GetBytes(string.Concat(parts)), "five text fragments");

        var data = PayloadText.RandomBytes(300, seed: 54);
        var binary = LastGivesTheMessage(assembler,
            [Frame.Binary(data.AsMemory(0, 100), fin: false), Frame.Continuation(data.AsMemory(100, 150), fin: false), Frame.Continuation(data.AsMemory(250), fin: true)],
            "binary in 100 + 150 + 50 bytes");
        ExpectMessage(binary, MessageType.Binary, data, "binary in 100 + 150 + 50 bytes");

        var single = assembler.Add(Frame.Text("whole"));
        Check.True(single is not null, "step 9: MessageAssembler.Add of a text frame with FIN (a message in one frame): expected the message, got null", Read);
        ExpectMessage(single, MessageType.Text, "whole"u8, "a message in one frame");
        var singleBinary = assembler.Add(Frame.Binary(data));
        Check.True(singleBinary is not null, "step 9: MessageAssembler.Add of a binary frame with FIN: expected the message, got null", Read);
        ExpectMessage(singleBinary, MessageType.Binary, data, "a binary message in one frame");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Empty_fragments_and_empty_messages_are_messages_too()
    {
        var assembler = new MessageAssembler();
        var empty = assembler.Add(Frame.Text(""));
        Check.True(empty is not null, "step 9: MessageAssembler.Add of an empty text frame with FIN: expected an empty message, got null", Read + ". A message may be empty (length 0).");
        ExpectMessage(empty, MessageType.Text, [], "an empty text frame");
        var emptyBinary = assembler.Add(Frame.Binary(ReadOnlyMemory<byte>.Empty));
        Check.True(emptyBinary is not null, "step 9: MessageAssembler.Add of an empty binary frame with FIN: expected an empty message, got null", Read);
        ExpectMessage(emptyBinary, MessageType.Binary, [], "an empty binary frame");

        var allEmpty = LastGivesTheMessage(assembler, [Text("", false), Continuation("", false), Continuation("", true)], "three empty text fragments");
        ExpectMessage(allEmpty, MessageType.Text, [], "three empty text fragments");

        var someEmpty = LastGivesTheMessage(assembler, [Text("", false), Continuation("61 62", false), Continuation("", false), Continuation("63 64", true)], "\"\" + \"ab\" + \"\" + \"cd\"");
        ExpectMessage(someEmpty, MessageType.Text, "abcd"u8, "\"\" + \"ab\" + \"\" + \"cd\"");

        var lastEmpty = LastGivesTheMessage(assembler, [new Frame(Opcode.Binary, Wire.Bytes("01 02"), fin: false), Continuation("", true)], "binary [01 02] then an empty last fragment");
        ExpectMessage(lastEmpty, MessageType.Binary, Wire.Bytes("01 02"), "binary [01 02] then an empty last fragment");
    }

    [Fact, Graded(2, Hint = Read + "; RFC 6455 §5.5 (control frames may come between fragments)")]
    public void Control_frames_between_fragments_pass_by_and_leave_the_message_whole()
    {
        const uint key = 0x0badf00d;
        byte[] wire =
        [
            .. Wire.Frame(0x1, "Hel"u8, fin: false, key: key),
            .. Wire.Frame(0x9, "p1"u8, key: key),
            .. Wire.Frame(0x0, "lo, "u8, fin: false, key: key),
            .. Wire.Frame(0xA, "p2"u8, key: key),
            .. Wire.Frame(0x9, ""u8, key: key),
            .. Wire.Frame(0x0, "world"u8, fin: true, key: key),
            .. Wire.Frame(0x2, [1, 2, 3], key: key),
        ];
        string[] expected = ["ping \"p1\"", "pong \"p2\"", "ping \"\"", "text \"Hello, world\"", "binary 3 bytes"];
        foreach (int chunk in new[] { wire.Length, 1, 2, 5 })
        {
            var receiver = new PayloadReceiver(Role.Server).Feed(wire, chunk);
            Check.Equal(string.Join(", ", receiver.Events), string.Join(", ", expected),
                $"steps 8 and 9: what a server receives from {PayloadExpect.Show(wire)} fed {(chunk == wire.Length ? "at once" : $"{chunk} byte(s) at a time")} " +
                "(text FIN=0 \"Hel\", ping \"p1\", continuation FIN=0 \"lo, \", pong \"p2\", empty ping, continuation FIN=1 \"world\", binary [01 02 03])",
                Read + ". The decoder yields every frame, control frames included, in order; only data frames go to the assembler, " +
                "so a ping between two fragments is answered at once and does not end or split the message.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Invalid_UTF_8_fails_at_the_fragment_that_holds_it_with_1007()
    {
        var assembler = new MessageAssembler();
        var first = PayloadExpect.Refused(() => assembler.Add(Text("6f 6b 20 c0 80", fin: false)), ProtocolError.InvalidUtf8,
            "step 9: MessageAssembler.Add of the FIRST fragment (FIN=0) of a text message, \"ok \" then C0 80",
            Read + ". Feed each text fragment to the validator as it comes and throw at once: RFC 6455 §8.1 fails the connection as soon as the text cannot be UTF-8, not when the message ends.");
        Check.Equal(first.CloseCode, CloseCode.InvalidPayloadData, "step 4: the CloseCode of ProtocolError.InvalidUtf8", "Notebook 05 §5; RFC 6455 §7.4.1: 1007 for data that does not match the message's type.");

        var second = new MessageAssembler();
        second.Add(Text("61", fin: false));
        PayloadExpect.Refused(() => second.Add(Continuation("62 ed a0 80", fin: false)), ProtocolError.InvalidUtf8,
            "step 9: MessageAssembler.Add of the second fragment (FIN=0), which holds a surrogate (ED A0 80)", Read);

        // Each fragment alone is a valid start; together they are not: the validator carries over.
        var across = new MessageAssembler();
        Check.True(across.Add(Text("e0", fin: false)) is null, "step 9: Add of a fragment [e0] (FIN=0): expected null (E0 can still start a character)", Read);
        PayloadExpect.Refused(() => across.Add(Continuation("80", fin: false)), ProtocolError.InvalidUtf8,
            "step 9: Add of the next fragment [80] after [e0] (E0 80 is overlong, whatever follows)",
            Read + ". One validator for the whole message, fed fragment after fragment (Reset only when a message starts).");

        // Through the decoder: the last fragment never comes, and the error must not wait for it.
        var receiver = new PayloadReceiver(Role.Client);
        PayloadExpect.Refused(() => receiver.Feed(Wire.Frame(0x1, Wire.Bytes("48 69 ff"), fin: false)), ProtocolError.InvalidUtf8,
            "steps 8 and 9: a client receiving a first text fragment [48 69 ff] (FIN=0) and nothing after it", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_character_split_between_fragments_is_accepted()
    {
        var smile = Encoding.UTF8.GetBytes("😀"); // f0 9f 98 80
        for (int cut = 1; cut < smile.Length; cut++)
        {
            byte[] head = [0x61, .. smile[..cut]], tail = [.. smile[cut..], 0x62];
            var frames = new[] { new Frame(Opcode.Text, head, fin: false), new Frame(Opcode.Continuation, tail, fin: true) };
            var what = $"\"a😀b\" cut inside 😀 after {cut} of its 4 bytes ([{Wire.Hex(frames[0].Payload.Span)}] + [{Wire.Hex(frames[1].Payload.Span)}])";
            var message = PayloadExpect.NoProtocolError(() => LastGivesTheMessage(new MessageAssembler(), frames, what), $"step 9: {what}",
                Read + ". Fragments may split a character (§5.4); only the whole message must be UTF-8. Feed fragment after fragment to one validator; do not check each fragment alone.");
            Check.Equal(message.Text, "a😀b", $"step 9: the text of {what}", Read);
        }

        var bytes = smile.Select((b, i) => new Frame(i == 0 ? Opcode.Text : Opcode.Continuation, new[] { b }, fin: i == smile.Length - 1)).ToArray();
        var oneByOne = PayloadExpect.NoProtocolError(() => LastGivesTheMessage(new MessageAssembler(), bytes, "😀 in four 1-byte fragments"),
            "step 9: 😀 in four 1-byte fragments [f0] [9f] [98] [80]", Read);
        Check.Equal(oneByOne.Text, "😀", "step 9: the text of 😀 in four 1-byte fragments", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_text_message_that_ends_inside_a_character_fails_at_FIN_with_1007()
    {
        var assembler = new MessageAssembler();
        var early = PayloadExpect.NoProtocolError(() => assembler.Add(Text("61 e2 82", fin: false)),
            "step 9: Add of a fragment [61 e2 82] (FIN=0; € may go on in the next fragment)", Read + ". A fragment may end inside a character.");
        Check.True(early is null, "step 9: Add of a fragment [61 e2 82] (FIN=0): expected null", Read);
        var atFin = PayloadExpect.Refused(() => assembler.Add(Continuation("", fin: true)), ProtocolError.InvalidUtf8,
            "step 9: Add of an empty last fragment (FIN=1) after [61 e2 82]: the message ends inside €",
            Read + ". With FIN, a text message must also end between characters: check the validator's IsComplete.");
        Check.Equal(atFin.CloseCode, CloseCode.InvalidPayloadData, "step 4: the CloseCode of ProtocolError.InvalidUtf8", "Notebook 05 §5; RFC 6455 §7.4.1.");

        PayloadExpect.Refused(() => new MessageAssembler().Add(Text("e2 82", fin: true)), ProtocolError.InvalidUtf8,
            "step 9: Add of a single text frame [e2 82] (FIN=1)", Read + ". A single frame is a whole message: it too must end between characters.");

        var cut = new MessageAssembler();
        cut.Add(Text("f0 9f", fin: false));
        PayloadExpect.Refused(() => cut.Add(Continuation("98", fin: true)), ProtocolError.InvalidUtf8,
            "step 9: Add of the last fragment [98] (FIN=1) after [f0 9f]: 😀 without its last byte", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Binary_messages_are_not_checked_as_UTF_8()
    {
        var notText = Wire.Bytes("ff fe c0 80 ed a0 80 f4 90 80 80 e2 82");
        var assembler = new MessageAssembler();
        var single = PayloadExpect.NoProtocolError(() => assembler.Add(Frame.Binary(notText)),
            $"step 9: Add of a binary frame {PayloadExpect.Show(notText)}", Read + ". Only text messages must be UTF-8 (§8.1); binary data is any bytes.");
        Check.True(single is not null, "step 9: Add of a binary frame with FIN: expected the message, got null", Read);
        ExpectMessage(single, MessageType.Binary, notText, "binary bytes that are not UTF-8");

        var frames = new[] { Frame.Binary(notText.AsMemory(0, 5), fin: false), Frame.Continuation(notText.AsMemory(5), fin: true) };
        var fragmented = PayloadExpect.NoProtocolError(() => LastGivesTheMessage(assembler, frames, "binary that is not UTF-8, in 2 fragments"),
            "step 9: binary fragments that are not UTF-8", Read + ". Only text messages must be UTF-8.");
        ExpectMessage(fragmented, MessageType.Binary, notText, "binary that is not UTF-8, in 2 fragments");

        // The next message is text again: it is checked, from a fresh start.
        var text = assembler.Add(Frame.Text("é"));
        Check.True(text is not null, "step 9: Add of a text frame \"é\" after binary messages: expected the message", Read + ". Reset the validator when a message starts.");
    }

    [Fact, Graded(1, Hint = Read + "; notebook 05 §2 (the encoder)")]
    public void Messages_cut_by_ToFrames_come_back_whole_through_encoder_decoder_and_assembler()
    {
        Message[] messages =
        [
            Message.FromText(PayloadText.OfLength(300)),
            Message.FromBinary(PayloadText.RandomBytes(300, seed: 5)),
            Message.FromText(""),
            Message.FromBinary(Array.Empty<byte>()),
            Message.FromText("😀é€a"),
        ];
        foreach (var message in messages)
        {
            foreach (int size in new[] { 1, 2, 3, 7, 125, 126, 4096 })
            {
                foreach (var (sender, receiver) in new[] { (Role.Client, Role.Server), (Role.Server, Role.Client) })
                {
                    var frames = message.ToFrames(size).ToList();
                    var wire = frames.SelectMany(f => FrameEncoder.Encode(f, sender)).ToArray();
                    var received = new PayloadReceiver(receiver).Feed(wire, chunk: 7);
                    string what = $"a {message.Type.ToString().ToLowerInvariant()} message of {message.Data.Length} bytes in {frames.Count} fragment(s) of at most {size} bytes, sent by a {sender}";
                    Check.Equal(received.Messages.Count, 1, $"steps 8 and 9: messages received from {what}", Read);
                    ExpectMessage(received.Messages[0], message.Type, message.Data.Span, what);
                }
            }
        }

        // A message over 64 KiB: a 64-bit length in one frame, and 16-bit ones when cut at 65535.
        var big = Message.FromBinary(PayloadText.RandomBytes(70_000, seed: 64));
        foreach (int size in new[] { int.MaxValue, 65535, 30_000 })
        {
            var wire = big.ToFrames(size).SelectMany(f => FrameEncoder.Encode(f, Role.Client)).ToArray();
            var received = new PayloadReceiver(Role.Server).Feed(wire, chunk: 4096);
            Check.Equal(received.Messages.Count, 1, $"steps 8 and 9: messages received from 70000 bytes in fragments of at most {size}", Read);
            ExpectMessage(received.Messages[0], MessageType.Binary, big.Data.Span, $"70000 bytes in fragments of at most {size}");
        }
    }
}
