namespace Lab01.SocketEcho;

/// <summary>
/// The bytes do not form valid messages: a line or a length over the limit,
/// invalid UTF-8, or a stream that ended in the middle of a message. After it,
/// the stream is out of step; the only safe move is to close the connection.
/// An <see cref="IOException"/>, so code that closes a connection on I/O errors
/// closes it on framing errors too.
/// </summary>
public sealed class FramingException : IOException
{
    /// <summary>Creates the exception with a message that says what was expected and what came.</summary>
    public FramingException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that caused it.</summary>
    public FramingException(string message, Exception inner) : base(message, inner)
    {
    }
}
