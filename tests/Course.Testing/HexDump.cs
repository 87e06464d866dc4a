using System.Text;

namespace Course.Testing;

/// <summary>
/// Annotated hex, the way protocol people read bytes:
/// <code>
/// 48 65 6c 6c 6f | "Hello"
/// </code>
/// Later labs use it for frames: <c>HexDump.Line(header, "FIN text len=5")</c> gives
/// <c>81 05 | FIN text len=5</c>.
/// </summary>
public static class HexDump
{
    /// <summary>Bytes per line of <see cref="Format"/>.</summary>
    public const int BytesPerLine = 16;

    /// <summary>The bytes as lower-case hex pairs separated by spaces: <c>48 65 6c</c>.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
                text.Append(' ');
            text.Append(bytes[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>One line: the hex, a bar, and an annotation: <c>81 05 | FIN text len=5</c>.</summary>
    public static string Line(ReadOnlySpan<byte> bytes, string annotation) => $"{Hex(bytes)} | {annotation}";

    /// <summary>
    /// A dump of <paramref name="bytes"/>, 16 per line, each line annotated with its
    /// bytes made <see cref="Visible"/>. With more than one line, the hex is padded
    /// so the bars line up and each line starts with its offset:
    /// <code>
    /// 0000  68 65 6c 6c 6f 2c 20 77 6f 72 6c 64 21 0d 0a 68 | "hello, world!␍␊h"
    /// 0010  69 0a                                           | "i␊"
    /// </code>
    /// </summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
            return "(no bytes)";
        if (bytes.Length <= BytesPerLine)
            return $"{Hex(bytes)} | {Visible.Quoted(bytes)}";

        var text = new StringBuilder();
        const int hexWidth = BytesPerLine * 3 - 1;
        for (int offset = 0; offset < bytes.Length; offset += BytesPerLine)
        {
            var line = bytes.Slice(offset, Math.Min(BytesPerLine, bytes.Length - offset));
            if (offset > 0)
                text.Append('\n');
            text.Append(offset.ToString("x4", System.Globalization.CultureInfo.InvariantCulture)).Append("  ")
                .Append(Hex(line).PadRight(hexWidth)).Append(" | ").Append(Visible.Quoted(line));
        }
        return text.ToString();
    }
}
