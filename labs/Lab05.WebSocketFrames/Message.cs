using System.Text;

namespace Lab05.WebSocketFrames;

/// <summary>The two kinds of data message (RFC 6455 §5.6); the values are their opcodes.</summary>
public enum MessageType : byte
{
    Text = Opcode.Text,
    Binary = Opcode.Binary,
}

/// <summary>
/// A whole message, its fragments put together: what an application sends
/// and receives. A text message's data is valid UTF-8.
/// </summary>
public sealed class Message
{
    private string? text;

    public Message(MessageType type, ReadOnlyMemory<byte> data)
    {
        Type = type;
        Data = data;
    }

    public MessageType Type { get; }

    /// <summary>The message's bytes (UTF-8 for text).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The text of a text message.</summary>
    public string Text => Type == MessageType.Text
        ? text ??= Encoding.UTF8.GetString(Data.Span)
        : throw new InvalidOperationException($"A binary message ({Data.Length} bytes) has no text; read Data.");

    public static Message FromText(string text) => new(MessageType.Text, Utf8Text.GetBytes(text));

    public static Message FromBinary(ReadOnlyMemory<byte> data) => new(MessageType.Binary, data);

    /// <summary>
    /// The frames that carry this message: one frame, or fragments of at
    /// most <paramref name="fragmentSize"/> bytes (RFC 6455 §5.4): the first
    /// with the message's opcode, the rest continuation frames, FIN on the
    /// last. A text fragment may end inside a character; only the whole
    /// message must be UTF-8.
    /// </summary>
    public IEnumerable<Frame> ToFrames(int fragmentSize = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fragmentSize, 1);
        var opcode = (Opcode)Type;
        var rest = Data;
        do
        {
            int length = Math.Min(fragmentSize, rest.Length);
            yield return new Frame(opcode, rest[..length], fin: length == rest.Length);
            rest = rest[length..];
            opcode = Opcode.Continuation;
        } while (!rest.IsEmpty);
    }

    public override string ToString() =>
        Type == MessageType.Text ? $"text \"{Text}\"" : $"binary, {Data.Length} bytes";
}
