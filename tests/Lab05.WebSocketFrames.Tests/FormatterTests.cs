using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Frames as annotated hex (notebook 05 §2; step 11, <see cref="FrameFormatter.Describe"/>,
/// which the given <see cref="FrameFormatter.Format(ReadOnlySpan{byte})"/> calls for
/// each header): exact lines for the examples of RFC 6455 §5.7, and
/// snapshots of a whole session and of bad input. The approved snapshots are
/// in tests/Lab05.WebSocketFrames.Tests/snapshots/: read them to see every
/// expected line.
/// </summary>
public class FormatterTests
{
    private const string Read = "Notebook 05 §2 (the annotated form); RFC 6455 §5.2 (the header's fields)";
    private const string ReadSnapshot = Read + "; the approved file in tests/Lab05.WebSocketFrames.Tests/snapshots/ shows every expected line";

    [Fact, Graded(1, Hint = Read)]
    public void Describe_names_the_flags_the_opcode_the_key_and_the_length()
    {
        (FrameHeader Header, string Expected)[] cases =
        [
            (new(true, Opcode.Text, 5), "FIN text len=5"),
            (new(false, Opcode.Text, 3), "text len=3"),
            (new(false, Opcode.Continuation, 125), "cont len=125"),
            (new(true, Opcode.Continuation, 126), "FIN cont len=126 (16-bit)"),
            (new(true, Opcode.Binary, 256, 0x37fa213d), "FIN binary MASK=37fa213d len=256 (16-bit)"),
            (new(true, Opcode.Binary, 65535), "FIN binary len=65535 (16-bit)"),
            (new(true, Opcode.Binary, 65536), "FIN binary len=65536 (64-bit)"),
            (new(false, Opcode.Binary, 1L << 40, 0xdeadbeef), "binary MASK=deadbeef len=1099511627776 (64-bit)"),
            (new(true, Opcode.Ping, 0, 0x00000001), "FIN ping MASK=00000001 len=0"),
            (new(true, Opcode.Pong, 0), "FIN pong len=0"),
            (new(true, Opcode.Close, 2), "FIN close len=2"),
            (new(true, Opcode.Text, 5, null, ReservedBits.Rsv1), "FIN RSV1 text len=5"),
            (new(false, (Opcode)0x3, 0, null, ReservedBits.Rsv1 | ReservedBits.Rsv2 | ReservedBits.Rsv3), "RSV1 RSV2 RSV3 op=0x3 len=0"),
            (new(true, (Opcode)0xB, 0, 0xa0b0c0d0, ReservedBits.Rsv3), "FIN RSV3 op=0xb MASK=a0b0c0d0 len=0"),
        ];
        foreach (var (header, expected) in cases)
        {
            Check.Equal(FrameFormatter.Describe(header), expected, $"step 11: FrameFormatter.Describe({header})",
                Read + ". Words joined by one space: FIN (if set), RSV1 RSV2 RSV3 (each if set), the opcode's Name(), MASK= and the key as 8 hex digits ({key:x8}, " +
                "leading zeros kept) when masked, len=N, and (16-bit) or (64-bit) when the length needed that field.");
        }
    }

    [Fact, Graded(1, Hint = Read + "; RFC 6455 §5.7")]
    public void Format_annotates_the_RFC_examples_exactly()
    {
        (byte[] Bytes, string Expected, string Name)[] cases =
        [
            (Wire.UnmaskedHello, "81 05 | FIN text len=5 | 48 65 6c 6c 6f \"Hello\"", "a single-frame unmasked text message"),
            (Wire.MaskedHello, "81 85 37 fa 21 3d | FIN text MASK=37fa213d len=5 | 48 65 6c 6c 6f \"Hello\"", "a single-frame masked text message"),
            (Wire.FragmentedHello, "01 03 | text len=3 | 48 65 6c \"Hel\"\n80 02 | FIN cont len=2 | 6c 6f \"lo\"", "a fragmented unmasked text message"),
            (Wire.UnmaskedPing, "89 05 | FIN ping len=5 | 48 65 6c 6c 6f \"Hello\"", "an unmasked ping"),
            (Wire.MaskedPong, "8a 85 37 fa 21 3d | FIN pong MASK=37fa213d len=5 | 48 65 6c 6c 6f \"Hello\"", "a masked pong"),
            (Wire.Bytes("88 02 03 e8"), "88 02 | FIN close len=2 | 03 e8 code=1000 (Normal Closure)", "a close 1000"),
        ];
        foreach (var (bytes, expected, name) in cases)
        {
            Check.Equal(FrameFormatter.Format(bytes), expected, $"step 11: FrameFormatter.Format of {name}, [{Wire.Hex(bytes)}]",
                Read + ". Format writes the header's bytes, then Describe(header), then the payload; only Describe is yours.");
        }
    }

    [Fact, Graded(1, Hint = ReadSnapshot)]
    public void The_RFC_examples_annotated_match_the_snapshot()
    {
        var text = new StringBuilder();
        void Add(string title, ReadOnlySpan<byte> bytes) => text.Append("# ").Append(title).Append('\n').Append(FrameFormatter.Format(bytes)).Append("\n\n");

        Add("RFC 6455 §5.7: a single-frame unmasked text message", Wire.UnmaskedHello);
        Add("a single-frame masked text message (key 37 fa 21 3d)", Wire.MaskedHello);
        Add("a fragmented unmasked text message", Wire.FragmentedHello);
        Add("an unmasked ping and a masked pong", [.. Wire.UnmaskedPing, .. Wire.MaskedPong]);
        Add("256 bytes of binary in a single unmasked frame (the payload here is 00 01 02 ... ff)", [.. Wire.Binary256Header, .. Counting(256)]);
        Add("64 KiB of binary in a single unmasked frame", [.. Wire.Binary65536Header, .. Counting(65536)]);
        text.ToString().TrimEnd('\n').ShouldMatchSnapshot();
    }

    private static byte[] Counting(int length) => Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

    [Fact, Graded(1, Hint = ReadSnapshot)]
    public void A_session_both_ways_matches_the_snapshot()
    {
        // Client frames are masked with fixed keys, so that the snapshot is the same on every run.
        var script = new (string From, string Note, byte[] Bytes)[]
        {
            ("client", "a text message", Wire.Frame(0x1, "Hello, server"u8, key: 0x01020304)),
            ("server", "a text message", Wire.Frame(0x1, "Hello, client"u8)),
            ("client", "200 bytes of binary: a 16-bit length", Wire.Frame(0x2, Counting(200), key: 0xa1b2c3d4)),
            ("server", "the same 200 bytes back", Wire.Frame(0x2, Counting(200))),
            ("client", "a text message in two fragments, a ping between them", [
                .. Wire.Frame(0x1, "fragmented "u8, fin: false, key: 0x11111111),
                .. Wire.Frame(0x9, "are you there?"u8, key: 0x22222222),
                .. Wire.Frame(0x0, "message: Grüße 😀"u8, fin: true, key: 0x33333333)]),
            ("server", "the pong, with the ping's payload", Wire.Frame(0xA, "are you there?"u8)),
            ("client", "close 1000 \"bye\"", Wire.Frame(0x8, [0x03, 0xe8, .. "bye"u8], key: 0xcafebabe)),
            ("server", "the close echoed", Wire.Frame(0x8, [0x03, 0xe8, .. "bye"u8])),
        };
        var text = new StringBuilder();
        foreach (var (from, note, bytes) in script)
        {
            text.Append(from == "client" ? "client → server" : "server → client").Append(": ").Append(note).Append('\n');
            text.Append(FrameFormatter.Format(bytes)).Append("\n\n");
        }
        text.ToString().TrimEnd('\n').ShouldMatchSnapshot();
    }

    [Fact, Graded(1, Hint = ReadSnapshot)]
    public void Bad_input_is_annotated_not_refused_and_matches_the_snapshot()
    {
        // The formatter shows what it is given; the decoder is the one that refuses (notebook 05 §5).
        var cases = new (string Note, byte[] Bytes)[]
        {
            ("a reserved data opcode (0x3)", Wire.Frame(0x3, "abc"u8)),
            ("a reserved control opcode (0xb), masked", Wire.Frame(0xB, "abc"u8, key: 0x01020304)),
            ("RSV1 set with no extension", Wire.Frame(0x1, "abc"u8, rsv: 0b100)),
            ("RSV2 and RSV3 set", Wire.Frame(0x2, [1, 2, 3], rsv: 0b011)),
            ("a fragmented ping (FIN not set)", Wire.Frame(0x9, "p"u8, fin: false)),
            ("a text frame that is not UTF-8", Wire.Frame(0x1, [0x61, 0xc0, 0x80, 0xed, 0xa0, 0x80, 0x62])),
            ("text with quotes, a backslash and control characters", Wire.Frame(0x1, "say \"hi\"\\\r\n\t\0!"u8)),
            ("a close with a 1-byte payload", Wire.Frame(0x8, [0x03])),
            ("a close with code 1005, which may not be sent", Wire.Frame(0x8, [0x03, 0xed])),
            ("a close with code 4000 and a reason", Wire.Frame(0x8, [0x0f, 0xa0, .. "private"u8])),
            ("a whole frame, then a frame cut short: 10 bytes announced, 4 arrived", [.. Wire.Text("ok"), 0x82, 0x0a, 1, 2, 3, 4]),
            ("a whole frame, then 1 byte of a header", [.. Wire.Text("ok"), 0x81]),
            ("a header cut inside its 16-bit length", Wire.Bytes("82 7e 01")),
            ("a 16-bit length of 5, which fits in 7 bits", Wire.Bytes("81 7e 00 05 48 65 6c 6c 6f")),
            ("a 64-bit length of 200, which fits in 16 bits", Wire.Bytes("82 7f 00 00 00 00 00 00 00 c8")),
            ("a 64-bit length with its top bit set", Wire.Bytes("82 ff 80 00 00 00 00 00 00 00 01 02 03 04")),
        };
        var text = new StringBuilder();
        foreach (var (note, bytes) in cases)
            text.Append("# ").Append(note).Append('\n').Append(FrameFormatter.Format(bytes)).Append("\n\n");
        text.ToString().TrimEnd('\n').ShouldMatchSnapshot();
    }
}
