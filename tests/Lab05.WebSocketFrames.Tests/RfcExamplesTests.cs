namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The examples of RFC 6455 §5.7, byte for byte, in both directions: the
/// encoder (step 3) writes exactly the RFC's bytes, and the decoder (step 8)
/// of the end that receives them reads the RFC's frames back. Unmasked frames
/// come from a server, so a client's decoder reads them; masked ones from a
/// client, so a server's decoder reads them.
/// </summary>
public class RfcExamplesTests
{
    private const string ReadEncode = "Notebook 05 §2 (layout), §3 (masking); RFC 6455 §5.7 (examples), §5.2";

    private const string ReadDecode = "Notebook 05 §4 (the decoder); RFC 6455 §5.7 (examples), §5.2";

    private static byte[] Binary(int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
            data[i] = (byte)(i * 7 + (i >> 8));
        return data;
    }

    private static void Encodes(Frame frame, uint? key, byte[] expected, string example, string why) =>
        Wire.SameBytes(FrameEncoder.Encode(frame, key), expected,
            $"step 3: FrameEncoder.Encode({Wire.Describe(frame)}, {(key is null ? "no key" : $"key {key:x8}")}), the {example} of RFC 6455 §5.7", ReadEncode + ". " + why);

    private static void Decodes(Role role, byte[] bytes, Frame[] expected, string example, string why)
    {
        string context = $"a {role.ToString().ToLowerInvariant()}'s FrameDecoder on the {example} of RFC 6455 §5.7 ({Wire.Short(bytes)})";
        var frames = Wire.Feed(new FrameDecoder(role), bytes, [bytes.Length], null, context, ReadDecode);
        Wire.SameFrames(frames, expected, $"step 8: {context}", ReadDecode + ". " + why);
    }

    [Fact, Graded(1, Hint = ReadEncode)]
    public void Encodes_the_unmasked_text_Hello()
    {
        Encodes(Frame.Text("Hello"), null, Wire.UnmaskedHello, "single-frame unmasked text message",
            "81 = FIN | opcode 1 (text); 05 = MASK 0 | length 5; then the UTF-8 bytes of \"Hello\".");
    }

    [Fact, Graded(1, Hint = ReadDecode)]
    public void Decodes_the_unmasked_text_Hello()
    {
        Decodes(Role.Client, Wire.UnmaskedHello, [Frame.Text("Hello")], "single-frame unmasked text message",
            "81 05: FIN, text, 5 bytes, no key; a server sends unmasked frames, so a client's decoder reads them.");
    }

    [Fact, Graded(1, Hint = ReadEncode)]
    public void Encodes_the_masked_text_Hello()
    {
        Encodes(Frame.Text("Hello"), Wire.RfcKey, Wire.MaskedHello, "single-frame masked text message",
            "85 = MASK | length 5; the key 37 fa 21 3d follows, big-endian (the uint 0x37fa213d); each payload byte is XOR-ed with key octet i % 4 (Masking.Apply).");
    }

    [Fact, Graded(1, Hint = ReadDecode)]
    public void Decodes_the_masked_text_Hello()
    {
        Decodes(Role.Server, Wire.MaskedHello, [Frame.Text("Hello")], "single-frame masked text message",
            "A client masks, so a server's decoder reads this frame: read the key after the length and unmask the payload with it.");
    }

    [Fact, Graded(1, Hint = ReadEncode)]
    public void Encodes_the_fragmented_text_Hel_lo()
    {
        byte[] bytes =
        [
            .. FrameEncoder.Encode(new Frame(Opcode.Text, "Hel"u8.ToArray(), fin: false), maskingKey: null),
            .. FrameEncoder.Encode(Frame.Continuation("lo"u8.ToArray(), fin: true), maskingKey: null),
        ];
        Wire.SameBytes(bytes, Wire.FragmentedHello,
            "step 3: FrameEncoder.Encode of text FIN=0 \"Hel\" then continuation FIN=1 \"lo\", the fragmented unmasked text message of RFC 6455 §5.7",
            ReadEncode + ". 01 = FIN 0 | opcode 1 (text); 80 = FIN 1 | opcode 0 (continuation).");
    }

    [Fact, Graded(1, Hint = ReadDecode)]
    public void Decodes_the_fragmented_text_Hel_lo()
    {
        Decodes(Role.Client, Wire.FragmentedHello,
            [new Frame(Opcode.Text, "Hel"u8.ToArray(), fin: false), Frame.Continuation("lo"u8.ToArray(), fin: true)],
            "fragmented unmasked text message", "Two frames: text without FIN, then a continuation with FIN. The decoder yields frames; putting them together is MessageAssembler's job.");
    }

    [Fact, Graded(1, Hint = ReadEncode)]
    public void Encodes_the_unmasked_ping_and_the_masked_pong()
    {
        Encodes(Frame.Ping("Hello"u8.ToArray()), null, Wire.UnmaskedPing, "unmasked Ping request", "89 = FIN | opcode 9 (ping).");
        Encodes(Frame.Pong("Hello"u8.ToArray()), Wire.RfcKey, Wire.MaskedPong, "masked Ping response", "8a = FIN | opcode A (pong); 85 = MASK | length 5, then the key.");
    }

    [Fact, Graded(1, Hint = ReadDecode)]
    public void Decodes_the_unmasked_ping_and_the_masked_pong()
    {
        Decodes(Role.Client, Wire.UnmaskedPing, [Frame.Ping("Hello"u8.ToArray())], "unmasked Ping request", "89 05: FIN, ping, 5 bytes.");
        Decodes(Role.Server, Wire.MaskedPong, [Frame.Pong("Hello"u8.ToArray())], "masked Ping response", "8a 85: FIN, pong, MASK, 5 bytes, then the key.");
    }

    [Fact, Graded(1, Hint = ReadEncode)]
    public void Encodes_256_and_65536_byte_binary_messages_with_16_and_64_bit_lengths()
    {
        foreach (var (length, header) in new[] { (256, Wire.Binary256Header), (65536, Wire.Binary65536Header) })
        {
            var data = Binary(length);
            Encodes(Frame.Binary(data), null, [.. header, .. data], $"{length}-byte unmasked binary message",
                length == 256
                    ? "82 = FIN | binary; 7e = a 16-bit length follows; 01 00 = 256, big-endian; then the bytes as they are."
                    : "82 = FIN | binary; 7f = a 64-bit length follows; 00 00 00 00 00 01 00 00 = 65536, big-endian (65536 does not fit in 16 bits); then the bytes.");
        }
    }

    [Fact, Graded(1, Hint = ReadDecode)]
    public void Decodes_256_and_65536_byte_binary_messages_with_16_and_64_bit_lengths()
    {
        foreach (var (length, header) in new[] { (256, Wire.Binary256Header), (65536, Wire.Binary65536Header) })
        {
            var data = Binary(length);
            Decodes(Role.Client, [.. header, .. data], [Frame.Binary(data)], $"{length}-byte unmasked binary message",
                $"The header {Wire.Hex(header)} announces {length} bytes in {(length == 256 ? "16" : "64")} bits, big-endian; the payload follows it.");
        }
    }
}
