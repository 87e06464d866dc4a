namespace Course.Kernel;

/// <summary>
/// Jupyter counts cursor positions in Unicode code points (messaging 5.2+,
/// "Cursor position"); .NET strings count UTF-16 code units. An emoji is one
/// code point and two code units, so the two differ after one.
/// </summary>
public static class CodePoints
{
    public static int ToUtf16Index(string text, int codePoints)
    {
        var index = 0;
        for (var seen = 0; seen < codePoints && index < text.Length; seen++)
            index += char.IsSurrogatePair(text, index) ? 2 : 1;
        return index;
    }

    public static int FromUtf16Index(string text, int index)
    {
        var count = 0;
        foreach (var _ in text[..Math.Clamp(index, 0, text.Length)].EnumerateRunes())
            count++;
        return count;
    }
}
