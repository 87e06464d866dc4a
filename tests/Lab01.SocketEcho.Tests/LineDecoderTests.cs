using System.Text;

namespace Lab01.SocketEcho.Tests;

/// <summary>The line decoder with byte arrays alone: no sockets, every split tried (notebook 01 §6).</summary>
public class LineDecoderTests
{
    private const string Read = "Notebook 01 §6 (line-delimited framing)";

    [Fact, Graded(1)]
    public void Feed_finds_the_lines_wherever_the_stream_is_cut()
    {
        var stream = Encoding.UTF8.GetBytes("first line\r\nsecond ✓\n");
        string[] expected = ["first line", "second ✓"];

        for (int cut = 0; cut <= stream.Length; cut++)
        {
            var decoder = new LineDecoder(maxLineLength: 64);
            var lines = decoder.Feed(stream.AsSpan(0, cut)).Concat(decoder.Feed(stream.AsSpan(cut))).ToList();
            Expect.SameMessages(lines, expected, Expect.Show,
                $"Lines from {Visible.Quoted(stream.AsSpan(0, cut))} then {Visible.Quoted(stream.AsSpan(cut))}", Read);
            decoder.BufferedByteCount.ShouldBe(0, $"Nothing should stay buffered after the last '\\n' (cut after byte {cut}).");
        }

        var byByte = new LineDecoder(maxLineLength: 64);
        var oneAtATime = new List<string>();
        foreach (byte b in stream)
            oneAtATime.AddRange(byByte.Feed([b]));
        Expect.SameMessages(oneAtATime, expected, Expect.Show, "Lines fed one byte at a time (✓ is 3 bytes: decode whole lines, not chunks)", Read);
    }

    [Fact, Graded(1)]
    public void Feed_returns_every_line_of_one_chunk_and_keeps_the_rest()
    {
        var decoder = new LineDecoder(maxLineLength: 64);

        var lines = decoder.Feed("a\nbb\n\nccc\npart"u8);

        Expect.SameMessages(lines, ["a", "bb", "", "ccc"], Expect.Show, "Lines of \"a␊bb␊␊ccc␊part\" in one Feed (an empty line is a message too)", Read);
        decoder.BufferedByteCount.ShouldBe(4, "\"part\" has no '\\n' yet: keep its 4 bytes for the next Feed.");
        Expect.SameMessages(decoder.Feed("ial\n"u8), ["partial"], Expect.Show, "The line completed by the next Feed", Read);
    }

    [Fact, Graded(1)]
    public void CRLF_and_LF_both_end_a_line_and_a_lone_CR_is_data()
    {
        var decoder = new LineDecoder(maxLineLength: 64);

        var lines = decoder.Feed("crlf\r\nlf\nlone\rcr\nsplit\r"u8).Concat(decoder.Feed("\n"u8)).ToList();

        Expect.SameMessages(lines, ["crlf", "lf", "lone\rcr", "split"], Expect.Show,
            "Lines of \"crlf␍␊lf␊lone␍cr␊split␍\" then \"␊\" (drop one '\\r' right before '\\n', keep any other)", Read);
    }

    [Fact, Graded(1)]
    public void A_line_over_the_limit_fails_before_its_newline_arrives()
    {
        var atLimit = new LineDecoder(maxLineLength: 8);
        Expect.SameMessages(atLimit.Feed("12345678\r"u8).Concat(atLimit.Feed("\n"u8)).ToList(), ["12345678"], Expect.Show,
            "An 8-byte line with maxLineLength 8 (the line ending does not count)", Read);

        var decoder = new LineDecoder(maxLineLength: 8);
        decoder.Feed("12345678"u8).ShouldBeEmpty("No '\\n' yet: no line.");
        var error = Expect.Throws<FramingException>(() => decoder.Feed("9"u8),
            "A 9th byte with no '\\n' makes the line longer than maxLineLength 8: throw FramingException at once, " +
            "do not wait (and buffer) for a '\\n' that may never come. " + Read + ".");
        error.Message.ShouldContain("8", customMessage: "The message should state the limit (8).");
    }

    [Fact, Graded(1)]
    public void Finish_fails_when_the_stream_ends_in_the_middle_of_a_line()
    {
        var complete = new LineDecoder(maxLineLength: 64);
        complete.Feed("done\n"u8);
        Should.NotThrow(complete.Finish, "Finish after complete lines has nothing to complain about.");

        var partial = new LineDecoder(maxLineLength: 64);
        Expect.SameMessages(partial.Feed("complete\npartial"u8), ["complete"], Expect.Show, "Lines before the end of the stream", Read);
        Expect.Throws<FramingException>(partial.Finish,
            "The stream ended with \"partial\" and no '\\n': Finish must throw FramingException rather than lose those bytes silently. " + Read + ".");
    }

    [Fact, Graded(1)]
    public void Invalid_UTF8_is_a_framing_error()
    {
        var decoder = new LineDecoder(maxLineLength: 64);

        Expect.Throws<FramingException>(() => decoder.Feed([(byte)'h', 0xff, (byte)'\n']),
            "0xff never appears in UTF-8 (RFC 3629): decoding \"h\\xff␊\" must throw FramingException, not invent a '�'. " + Read + ".");
    }
}
