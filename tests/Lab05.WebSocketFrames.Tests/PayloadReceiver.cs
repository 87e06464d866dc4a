using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The receive path of an endpoint without the socket: bytes into a
/// <see cref="FrameDecoder"/>, its data frames into a <see cref="MessageAssembler"/>,
/// its control frames set aside as they come (notebook 05 §7). What came is
/// kept in order in <see cref="Events"/>, one line each: <c>ping "p1"</c>,
/// <c>text "Hello"</c>, <c>binary 200 bytes</c>.
/// </summary>
internal sealed class PayloadReceiver(Role role, FrameLimits? limits = null)
{
    public FrameDecoder Decoder { get; } = new(role, limits);
    public MessageAssembler Assembler { get; } = new();
    public List<Message> Messages { get; } = [];
    public List<Frame> Controls { get; } = [];
    public List<string> Events { get; } = [];

    /// <summary>Feeds <paramref name="bytes"/> in pieces of <paramref name="chunk"/> bytes (all at once by default).</summary>
    public PayloadReceiver Feed(ReadOnlySpan<byte> bytes, int chunk = int.MaxValue)
    {
        while (!bytes.IsEmpty)
        {
            var piece = bytes[..Math.Min(chunk, bytes.Length)];
            bytes = bytes[piece.Length..];
            while (!piece.IsEmpty)
            {
                int used = Decoder.Decode(piece, out var frame);
                piece = piece[used..];
                if (frame is not null)
                    Add(frame);
            }
        }
        return this;
    }

    /// <summary>Handles one decoded frame: a control frame is set aside, a data frame goes to the assembler.</summary>
    public void Add(Frame frame)
    {
        if (frame.Opcode.IsControl())
        {
            Controls.Add(frame);
            Events.Add(Describe(frame));
            return;
        }
        if (Assembler.Add(frame) is Message message)
        {
            Messages.Add(message);
            Events.Add(Describe(message));
        }
    }

    public static string Describe(Frame control) => $"{control.Opcode.Name()} {Quote(control.Payload.Span)}";

    public static string Describe(Message message) =>
        message.Type == MessageType.Text ? $"text {Quote(message.Data.Span)}" : $"binary {message.Data.Length} bytes";

    private static string Quote(ReadOnlySpan<byte> bytes) => "\"" + Encoding.UTF8.GetString(bytes) + "\"";
}

/// <summary>Texts of a given length in UTF-8 bytes, with characters of every length in them.</summary>
internal static class PayloadText
{
    private const string Pattern = "Grüße, 世界! 😀 ";

    /// <summary>Exactly <paramref name="bytes"/> UTF-8 bytes: the pattern repeated, cut between characters, padded with 'x'.</summary>
    public static string OfLength(int bytes)
    {
        var text = new StringBuilder();
        int length = 0;
        while (true)
        {
            foreach (var rune in Pattern.EnumerateRunes())
            {
                if (length + rune.Utf8SequenceLength > bytes)
                    return text.Append('x', bytes - length).ToString();
                text.Append(rune.ToString());
                length += rune.Utf8SequenceLength;
            }
        }
    }

    /// <summary><paramref name="length"/> bytes from a seeded generator.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
