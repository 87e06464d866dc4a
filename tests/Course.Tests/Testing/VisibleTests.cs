using System.Text;

namespace Course.Tests.Testing;

/// <summary><see cref="Visible"/>: bytes shown exactly, control pictures for CR LF tab, \xNN for the rest.</summary>
public class VisibleTests
{
    [Fact]
    public void Escape_shows_CR_LF_and_tab_as_control_pictures()
        => Visible.Escape("GET / HTTP/1.1\r\nHost:\tx\n").ShouldBe("GET / HTTP/1.1␍␊Host:␉x␊");

    [Fact]
    public void Escape_leaves_printable_ASCII_as_it_is_except_the_backslash()
    {
        var printable = new string(Enumerable.Range(0x20, 0x7f - 0x20).Select(c => (char)c).ToArray());

        Visible.Escape(printable).ShouldBe(printable.Replace(@"\", @"\\", StringComparison.Ordinal));
    }

    [Fact]
    public void Escape_doubles_the_backslash_so_an_escape_is_never_ambiguous()
        => Visible.Escape(@"C:\x41").ShouldBe(@"C:\\x41");

    [Fact]
    public void Escape_writes_other_bytes_as_two_lower_case_hex_digits()
        => Visible.Escape([0x00, 0x1b, 0x7f, 0x80, 0xab, 0xff]).ShouldBe(@"\x00\x1b\x7f\x80\xab\xff");

    [Fact]
    public void Escape_shows_each_byte_of_a_non_ASCII_character()
        => Visible.Escape("é€").ShouldBe(@"\xc3\xa9\xe2\x82\xac");

    [Fact]
    public void Escape_of_nothing_is_empty_and_Quoted_is_two_quotes()
    {
        Visible.Escape([]).ShouldBe("");
        Visible.Escape("").ShouldBe("");
        Visible.Quoted([]).ShouldBe("\"\"");
        Visible.Quoted("").ShouldBe("\"\"");
    }

    [Fact]
    public void Quoted_puts_the_escaped_form_in_double_quotes()
    {
        Visible.Quoted("hello\n").ShouldBe("\"hello␊\"");
        Visible.Quoted("hi\r\n"u8).ShouldBe("\"hi␍␊\"");
    }

    [Fact]
    public void Escape_cuts_after_maxBytes_and_says_how_many_bytes_there_were()
    {
        var bytes = Encoding.ASCII.GetBytes("hello, world");

        Visible.Escape(bytes, maxBytes: 5).ShouldBe("hello… (12 bytes in all)");
        Visible.Escape(bytes, maxBytes: 0).ShouldBe("… (12 bytes in all)");
        Visible.Quoted("hello, world", maxBytes: 5).ShouldBe("\"hello… (12 bytes in all)\"");
    }

    [Fact]
    public void Escape_does_not_cut_when_the_bytes_fit_exactly()
        => Visible.Escape("hello"u8, maxBytes: 5).ShouldBe("hello");

    [Fact]
    public void Escape_rejects_a_negative_maxBytes()
        => Should.Throw<ArgumentOutOfRangeException>(() => Visible.Escape("x"u8, maxBytes: -1));
}
