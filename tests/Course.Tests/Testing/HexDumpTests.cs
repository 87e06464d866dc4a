using System.Text;

namespace Course.Tests.Testing;

/// <summary><see cref="HexDump"/>: lower-case hex pairs, an annotation after a bar, 16 bytes a line.</summary>
public class HexDumpTests
{
    [Fact]
    public void Hex_writes_lower_case_pairs_separated_by_spaces()
    {
        HexDump.Hex("Hello"u8).ShouldBe("48 65 6c 6c 6f");
        HexDump.Hex([0x00, 0xab, 0xff]).ShouldBe("00 ab ff");
        HexDump.Hex([]).ShouldBe("");
    }

    [Fact]
    public void Line_puts_the_annotation_after_a_bar()
        => HexDump.Line([0x81, 0x05], "FIN text len=5").ShouldBe("81 05 | FIN text len=5");

    [Fact]
    public void Format_of_a_few_bytes_is_one_line_without_an_offset()
        => HexDump.Format("Hello\r\n"u8).ShouldBe("48 65 6c 6c 6f 0d 0a | \"Hello␍␊\"");

    [Fact]
    public void Format_of_16_bytes_is_still_one_line()
        => HexDump.Format("0123456789abcdef"u8).ShouldBe("30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66 | \"0123456789abcdef\"");

    [Fact]
    public void Format_of_no_bytes_says_so()
        => HexDump.Format([]).ShouldBe("(no bytes)");

    [Fact]
    public void Format_of_20_bytes_is_two_lines_with_offsets_and_aligned_bars()
    {
        byte[] bytes = [.. Encoding.ASCII.GetBytes("hello, world!\r\nhi\n"), 0x00, 0xff];
        bytes.Length.ShouldBe(20);

        var dump = HexDump.Format(bytes);

        dump.ShouldBe(
            "0000  68 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 0d 0a 68 | \"hello, world!␍␊h\"\n" +
            "0010  69 0a 00 ff                                     | \"i␊\\x00\\xff\"");
        var lines = dump.Split('\n');
        lines[1].IndexOf('|').ShouldBe(lines[0].IndexOf('|'));
    }

    [Fact]
    public void Format_starts_a_new_line_every_16_bytes()
    {
        var lines = HexDump.Format(new byte[33]).Split('\n');

        lines.Select(l => l[..4]).ShouldBe(["0000", "0010", "0020"]);
        lines[2].ShouldBe("0020  00" + new string(' ', 45) + " | \"\\x00\"");
    }
}
