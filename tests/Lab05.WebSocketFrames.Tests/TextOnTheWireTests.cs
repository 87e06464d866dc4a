namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Text checked by the decoder as its bytes arrive (RFC 6455 §8.1; notebook
/// 05 §4 and §6; step 8): a frame whose payload stops being UTF-8 fails in
/// the read that brought the bad byte, not when the frame is complete. The
/// cases are those of Autobahn|Testsuite 6.4, where a server that waits for
/// the end of the frame is rated "non-strict".
/// </summary>
public class TextOnTheWireTests
{
    private const string Read = "Notebook 05 §6; RFC 6455 §8.1";

    private const string Hint = Read + ". Feed each unmasked piece of a text payload to the decoder's Utf8Validator as it arrives " +
                                "(a Text frame, or a continuation of one) and throw ProtocolError.InvalidUtf8 as soon as it says no.";

    // κόσμε (valid), then F4 90 80 80 (above U+10FFFF), then "edited": Autobahn 6.4.x's payload.
    private static readonly byte[] Good = Wire.Bytes("ce ba e1 bd b9 cf 83 ce bc ce b5");
    private static readonly byte[] Bad = Wire.Bytes("f4 90 80 80");
    private static readonly byte[] Rest = "edited"u8.ToArray();

    [Fact, Graded(2, Hint = Read)]
    public void A_server_fails_a_text_frame_in_the_read_that_brings_the_first_impossible_byte()
    {
        byte[] payload = [.. Good, .. Bad, .. Rest];
        var wire = Wire.Frame(0x1, payload, key: 0x37fa213d);
        int header = wire.Length - payload.Length;
        int[] cuts = [header + Good.Length, header + Good.Length + Bad.Length]; // three reads, as 6.4.3 sends them
        var decoder = new FrameDecoder(Role.Server);

        var first = wire.AsSpan(0, cuts[0]).ToArray();
        Feed(decoder, first, out var frame);
        Check.True(frame is null, "step 8: a frame came out of the first read, which holds only part of the payload", Hint);

        var second = wire.AsSpan(cuts[0], cuts[1] - cuts[0]).ToArray();
        Wire.Throws(() => Feed(decoder, second, out _), ProtocolError.InvalidUtf8, CloseCode.InvalidPayloadData,
            $"step 8: the second read of a masked text frame, bringing [{Wire.Hex(Bad)}] (above U+10FFFF) after valid text, before the rest of the payload",
            Hint + " Waiting for the end of the frame lets a peer stream invalid text for as long as the frame is (Autobahn 6.4.3).");
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_client_fails_at_the_byte_that_no_character_can_continue_when_fed_one_byte_at_a_time()
    {
        byte[] payload = [.. Good, .. Bad, .. Rest];
        var wire = Wire.Frame(0x1, payload);
        int header = wire.Length - payload.Length;
        int bad = header + Good.Length + 1; // F4 may start a character; F4 90 cannot (Autobahn 6.4.4)
        var decoder = new FrameDecoder(Role.Client);
        for (int i = 0; i < bad; i++)
        {
            int at = i;
            Feed(decoder, wire.AsSpan(at, 1).ToArray(), out var frame);
            Check.True(frame is null, $"step 8: a frame came out after byte {at} of {wire.Length}", Hint);
        }
        Wire.Throws(() => Feed(decoder, wire.AsSpan(bad, 1).ToArray(), out _), ProtocolError.InvalidUtf8, CloseCode.InvalidPayloadData,
            $"step 8: byte {bad} of an unmasked text frame fed one byte at a time (0x{wire[bad]:x2} after F4)", Hint);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Text_split_inside_characters_across_fragments_decodes_and_one_that_ends_inside_a_character_fails()
    {
        var text = "Grüße 😀"u8.ToArray();
        var decoder = new FrameDecoder(Role.Client);
        var frames = decoder.DecodeAll([.. Wire.Frame(0x1, text.AsSpan(0, 3), fin: false), .. Wire.Frame(0x0, text.AsSpan(3, 7), fin: false), .. Wire.Frame(0x0, text.AsSpan(10), fin: true)]);
        Check.Equal(frames.Count, 3, "step 8: frames decoded from \"Grüße 😀\" in three fragments cut inside ü and inside 😀", Hint);

        var cut = new FrameDecoder(Role.Client);
        Wire.Throws(() => cut.DecodeAll(Wire.Frame(0x1, text.AsSpan(0, text.Length - 1))), ProtocolError.InvalidUtf8, CloseCode.InvalidPayloadData,
            "step 8: a text frame with FIN whose payload ends with 3 of the 4 bytes of 😀", Hint + " A final frame must end between characters (IsComplete).");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Binary_payloads_and_payloads_under_an_extension_are_not_checked_as_text()
    {
        var notUtf8 = Wire.Bytes("ff fe c0 80 ed a0 80");
        var binary = new FrameDecoder(Role.Client).DecodeAll(Wire.Frame(0x2, notUtf8));
        Check.Equal(binary.Count, 1, $"step 8: frames decoded from a binary frame of [{Wire.Hex(notUtf8)}]", Read + ". Only text must be UTF-8 (§5.6).");

        // With an extension such as permessage-deflate (RSV1, Lab 09) a text payload is compressed bytes until inflated.
        var deflated = new FrameDecoder(Role.Client, allowedReservedBits: ReservedBits.Rsv1).DecodeAll(Wire.Frame(0x1, notUtf8, rsv: 4));
        Check.Equal(deflated.Count, 1, $"step 8: frames decoded from a text frame with RSV1 (an extension's payload) of [{Wire.Hex(notUtf8)}]",
            Read + ". With RSV bits allowed, the payload belongs to the extension until it is undone; check text only when AllowedReservedBits is None.");
    }

    private static void Feed(FrameDecoder decoder, byte[] bytes, out Frame? frame)
    {
        frame = null;
        var rest = bytes.AsSpan();
        while (!rest.IsEmpty)
        {
            int used = decoder.Decode(rest, out var decoded);
            frame ??= decoded;
            rest = rest[used..];
        }
    }
}
