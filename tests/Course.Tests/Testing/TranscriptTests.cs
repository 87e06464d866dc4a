namespace Course.Tests.Testing;

/// <summary><see cref="Transcript"/>: a conversation as readable lines.</summary>
public class TranscriptTests
{
    [Fact]
    public void ToString_writes_a_small_session_one_line_each_ended_by_LF()
    {
        var transcript = new Transcript();
        transcript.Event(transcript.Client, "connect → connected");
        transcript.ClientSent("hello\n"u8);
        transcript.ServerSent("hello\n"u8);
        transcript.Note("the server echoes what it reads");
        transcript.Event(transcript.Client, "shutdown(Send), FIN sent");
        transcript.Heading("server log");
        transcript.Add("accepted 127.0.0.1:51234");

        transcript.ToString().ShouldBe(
            "client: connect → connected\n" +
            "client → server  6 bytes  \"hello␊\"\n" +
            "server → client  6 bytes  \"hello␊\"\n" +
            "# the server echoes what it reads\n" +
            "client: shutdown(Send), FIN sent\n" +
            "\n" +
            "== server log ==\n" +
            "accepted 127.0.0.1:51234\n");
    }

    [Fact]
    public void An_empty_transcript_is_empty()
        => new Transcript().ToString().ShouldBe("");

    [Fact]
    public void Heading_on_an_empty_transcript_adds_no_blank_line()
    {
        var transcript = new Transcript();
        transcript.Heading("request");

        transcript.Lines.ShouldBe(["== request =="]);
    }

    [Fact]
    public void Data_uses_the_party_names_and_says_1_byte()
    {
        var transcript = new Transcript("browser", "proxy");
        transcript.ClientSent([0x88]);
        transcript.ServerSent([]);
        transcript.Data("proxy", "upstream", "\r\n"u8);

        transcript.Lines.ShouldBe([
            "browser → proxy  1 byte  \"\\x88\"",
            "proxy → browser  0 bytes  \"\"",
            "proxy → upstream  2 bytes  \"␍␊\"",
        ]);
    }

    [Fact]
    public void Data_cuts_payloads_longer_than_MaxBytesShown()
    {
        var transcript = new Transcript { MaxBytesShown = 4 };
        transcript.ClientSent("hello, world"u8);

        transcript.Lines.ShouldBe(["client → server  12 bytes  \"hell… (12 bytes in all)\""]);
    }
}
