namespace Lab01.SocketEcho.Tests;

/// <summary>Length-prefixed framing with byte arrays alone: no sockets, every split tried (notebook 01 §6).</summary>
public class LengthPrefixTests
{
    private const string Read = "Notebook 01 §6 (length-prefixed framing)";

    [Fact, Graded(1)]
    public void Encode_writes_a_4_byte_big_endian_length_then_the_payload()
    {
        var frame = LengthPrefixFraming.Encode(new byte[258]);
        frame.Length.ShouldBe(262, "4 length bytes + 258 payload bytes.");
        Expect.SameBytes(frame.AsSpan(0, 4), [0x00, 0x00, 0x01, 0x02], "The length prefix of a 258-byte payload",
            "258 = 0x00000102, most significant byte first (big-endian, \"network byte order\"). " + Read);

        Expect.SameBytes(LengthPrefixFraming.Encode("hi"u8), [0, 0, 0, 2, (byte)'h', (byte)'i'], "Encode(\"hi\")", Read);
        Expect.SameBytes(LengthPrefixFraming.Encode([]), [0, 0, 0, 0], "Encode of an empty payload", Read);
    }

    [Fact, Graded(1)]
    public void Decoder_finds_the_messages_wherever_the_stream_is_cut()
    {
        byte[][] expected = [[.. "first"u8], [], [.. "third\n\r\0"u8]];
        var stream = expected.SelectMany(m => LengthPrefixFraming.Encode(m)).ToArray();

        for (int cut = 0; cut <= stream.Length; cut++)
        {
            var decoder = new LengthPrefixDecoder(maxMessageLength: 64);
            var messages = decoder.Feed(stream.AsSpan(0, cut)).Concat(decoder.Feed(stream.AsSpan(cut))).ToList();
            Expect.SameMessages(messages, expected, Expect.Show, $"Messages, the stream cut after byte {cut} of {stream.Length}", Read);
            decoder.BufferedByteCount.ShouldBe(0, $"Nothing should stay buffered after the last message (cut after byte {cut}).");
        }

        var byByte = new LengthPrefixDecoder(maxMessageLength: 64);
        var oneAtATime = new List<byte[]>();
        foreach (byte b in stream)
            oneAtATime.AddRange(byByte.Feed([b]));
        Expect.SameMessages(oneAtATime, expected, Expect.Show, "Messages fed one byte at a time", Read);
    }

    [Fact, Graded(1)]
    public void Decoder_returns_every_message_of_one_chunk_and_keeps_the_rest()
    {
        var decoder = new LengthPrefixDecoder(maxMessageLength: 64);
        byte[] chunk = [.. LengthPrefixFraming.Encode("one"u8), .. LengthPrefixFraming.Encode([]), .. LengthPrefixFraming.Encode("three"u8), 0, 0, 0, 4, (byte)'f'];

        var messages = decoder.Feed(chunk);

        Expect.SameMessages(messages, [[.. "one"u8], [], [.. "three"u8]], Expect.Show, "Messages of one Feed holding three and a bit", Read);
        decoder.BufferedByteCount.ShouldBe(5, "The start of a 4th message (4 length bytes + 'f') stays buffered for the next Feed.");
        Expect.SameMessages(decoder.Feed("our"u8), [[.. "four"u8]], Expect.Show, "The message completed by the next Feed", Read);
    }

    [Fact, Graded(1)]
    public void A_length_over_the_limit_fails_as_soon_as_the_prefix_is_in()
    {
        var atLimit = new LengthPrefixDecoder(maxMessageLength: 1024);
        atLimit.Feed(LengthPrefixFraming.Encode(new byte[1024])).Count.ShouldBe(1, "A message of exactly maxMessageLength bytes is allowed.");

        var decoder = new LengthPrefixDecoder(maxMessageLength: 1024);
        var error = Expect.Throws<FramingException>(() => decoder.Feed([0x00, 0x00, 0x04, 0x01]),
            "The prefix 00 00 04 01 announces 1025 bytes, over maxMessageLength 1024: throw FramingException as soon as the 4 bytes are in, " +
            "before any payload (a peer must not make us wait for, or allocate, what we will refuse). " + Read + ".");
        error.Message.ShouldContain("1024", customMessage: "The message should state the limit (1024).");
        error.Message.ShouldContain("1025", customMessage: "The message should state the length that came (1025).");
    }

    [Fact, Graded(1)]
    public void Finish_fails_when_the_stream_ends_in_the_middle_of_a_message()
    {
        var complete = new LengthPrefixDecoder(maxMessageLength: 64);
        complete.Feed(LengthPrefixFraming.Encode("done"u8));
        Should.NotThrow(complete.Finish, "Finish after complete messages has nothing to complain about.");

        var inHeader = new LengthPrefixDecoder(maxMessageLength: 64);
        inHeader.Feed([0x00, 0x00]).ShouldBeEmpty();
        Expect.Throws<FramingException>(inHeader.Finish, "The stream ended after 2 of the 4 length bytes: Finish must throw FramingException. " + Read + ".");

        var inPayload = new LengthPrefixDecoder(maxMessageLength: 64);
        inPayload.Feed([0x00, 0x00, 0x00, 0x05, (byte)'h', (byte)'i']).ShouldBeEmpty();
        Expect.Throws<FramingException>(inPayload.Finish, "The stream ended after 2 of 5 payload bytes: Finish must throw FramingException. " + Read + ".");
    }
}
