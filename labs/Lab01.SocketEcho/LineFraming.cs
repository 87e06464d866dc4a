using System.Text;

namespace Lab01.SocketEcho;

/// <summary>
/// Line-delimited messages: each message is UTF-8 text followed by '\n' (a
/// reader also accepts "\r\n"). Simple, readable with <c>nc</c>, the framing of
/// SMTP, Redis' inline commands and HTTP/1.1's head (RFC 9112 §2.2); but a
/// message cannot contain '\n', and the reader must scan every byte for it.
/// </summary>
public static class LineFraming
{
    /// <summary>The UTF-8 bytes of <paramref name="message"/> followed by '\n'.</summary>
    /// <exception cref="ArgumentException">The message contains '\n' or '\r': it would read as two lines, or a damaged one.</exception>
    public static byte[] Encode(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.AsSpan().IndexOfAny('\n', '\r') >= 0)
            throw new ArgumentException("A line-delimited message cannot contain '\\n' or '\\r': the reader would cut it there. Use length-prefixed framing for arbitrary data.", nameof(message));
        var bytes = new byte[Encoding.UTF8.GetByteCount(message) + 1];
        Encoding.UTF8.GetBytes(message, bytes);
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}
