using System.Text;

namespace Course.Testing;

/// <summary>
/// Bytes and strings made visible for humans, so that a failure or a snapshot
/// shows exactly what went over the wire: <c>"hello␍␊"</c>, <c>"\x00\xff"</c>.
/// </summary>
/// <remarks>
/// Printable ASCII (0x20-0x7E) stays as it is, except the backslash, written
/// <c>\\</c> so that <c>\xNN</c> is never ambiguous. CR is ␍, LF is ␊, tab is ␉
/// (the Unicode "control pictures", U+240D, U+240A, U+2409). Every other byte is
/// <c>\xNN</c> (two lower-case hex digits), including each byte of a non-ASCII
/// UTF-8 character: the point is the bytes, not the text.
/// </remarks>
public static class Visible
{
    /// <summary>The escaped form of <paramref name="bytes"/>, cut after <paramref name="maxBytes"/> bytes with "…".</summary>
    public static string Escape(ReadOnlySpan<byte> bytes, int maxBytes = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var text = new StringBuilder(Math.Min(bytes.Length, maxBytes) + 8);
        int shown = Math.Min(bytes.Length, maxBytes);
        foreach (byte b in bytes[..shown])
            Append(text, b);
        if (shown < bytes.Length)
            text.Append($"… ({bytes.Length} bytes in all)");
        return text.ToString();
    }

    /// <summary>The escaped form of the UTF-8 bytes of <paramref name="text"/>.</summary>
    public static string Escape(string text, int maxBytes = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Escape(Encoding.UTF8.GetBytes(text), maxBytes);
    }

    /// <summary>The escaped form in double quotes: <c>"hello␊"</c>.</summary>
    public static string Quoted(ReadOnlySpan<byte> bytes, int maxBytes = int.MaxValue) => "\"" + Escape(bytes, maxBytes) + "\"";

    /// <summary>The escaped form of a string's UTF-8 bytes, in double quotes.</summary>
    public static string Quoted(string text, int maxBytes = int.MaxValue) => "\"" + Escape(text, maxBytes) + "\"";

    private static void Append(StringBuilder text, byte b)
    {
        switch (b)
        {
            case (byte)'\r': text.Append('␍'); break;
            case (byte)'\n': text.Append('␊'); break;
            case (byte)'\t': text.Append('␉'); break;
            case (byte)'\\': text.Append(@"\\"); break;
            case >= 0x20 and <= 0x7e: text.Append((char)b); break;
            default: text.Append(@"\x").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }
}
