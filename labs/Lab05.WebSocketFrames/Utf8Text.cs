using System.Text;

namespace Lab05.WebSocketFrames;

/// <summary>
/// Strings to UTF-8 for text frames, close reasons and messages. A .NET
/// string can hold a lone surrogate (half of a character), which has no
/// UTF-8 form; <see cref="Encoding.UTF8"/> would silently send U+FFFD in
/// its place. This encoding refuses it instead: no silent data loss.
/// </summary>
public static class Utf8Text
{
    /// <summary>UTF-8 without a byte-order mark that throws on what it cannot encode or decode.</summary>
    public static UTF8Encoding Strict { get; } = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The UTF-8 of <paramref name="text"/>; ArgumentException for a lone surrogate.</summary>
    public static byte[] GetBytes(string text, string parameter = "text")
    {
        try
        {
            return Strict.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw LoneSurrogate(e, parameter);
        }
    }

    /// <summary>Bytes in the UTF-8 of <paramref name="text"/>; ArgumentException for a lone surrogate.</summary>
    public static int ByteCount(string text, string parameter = "text")
    {
        try
        {
            return Strict.GetByteCount(text);
        }
        catch (EncoderFallbackException e)
        {
            throw LoneSurrogate(e, parameter);
        }
    }

    private static ArgumentException LoneSurrogate(EncoderFallbackException e, string parameter) =>
        new($"The text has a lone surrogate (U+{(int)e.CharUnknown:X4}) at index {e.Index}: half of a character, with no UTF-8 form.", parameter, e);
}
