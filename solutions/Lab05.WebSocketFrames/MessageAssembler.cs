namespace Lab05.WebSocketFrames;

/// <summary>
/// Puts fragmented messages back together (RFC 6455 §5.4) and checks text as
/// it comes (§8.1): give it the data frames a <see cref="FrameDecoder"/>
/// yields, in order, and it returns each message when its last frame
/// arrives. The decoder has already checked the text as its bytes arrived;
/// the assembler checks each fragment again so that it is safe on its own
/// (frames made by hand, or by an extension that rewrites payloads, Lab 09).
/// For ASCII that costs little: the check skips it a vector at a time.
/// It keeps the fragments' payloads, not copies of them, until the message
/// ends: do not reuse their buffers meanwhile (a decoder's never are). Control frames do not belong to messages: handle them as they
/// come, even between fragments (§5.4: control frames "MAY be injected in
/// the middle of a fragmented message").
///
/// Not thread-safe: one receive loop owns it.
/// </summary>
public sealed class MessageAssembler
{
    private readonly Utf8Validator utf8 = new();
    private readonly List<ReadOnlyMemory<byte>> fragments = [];
    private MessageType? type;   // the message being assembled, from its first frame
    private long length;         // its bytes so far

    /// <summary>True between the first and the last fragment of a message.</summary>
    public bool IsMidMessage => type is not null;

    /// <summary>
    /// Adds a data frame. Returns the message when <paramref name="frame"/>
    /// ends one, else null. Throws <see cref="WebSocketProtocolException"/>
    /// (<see cref="ProtocolError.InvalidUtf8"/>) as soon as a text message
    /// cannot be UTF-8, also in its first fragments.
    /// </summary>
    public Message? Add(Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Opcode.IsControl())
            throw new ArgumentException($"A {frame.Opcode.Name()} frame is not part of a message; handle control frames as they come (RFC 6455 §5.4).", nameof(frame));
        // The decoder refused frames out of order (step 6); here that would be a caller's bug.
        if (frame.Opcode == Opcode.Continuation ? type is null : type is not null)
            throw new InvalidOperationException(
                $"A {frame.Opcode.Name()} frame out of order (a message is {(type is null ? "not " : "")}open): frames must come from a FrameDecoder, which refuses that.");
        // BEGIN SOLUTION
        if (frame.Opcode != Opcode.Continuation)
        {
            type = (MessageType)frame.Opcode;
            utf8.Reset();
        }
        var messageType = type!.Value;

        // §8.1: fail as soon as the text cannot be UTF-8, not when the message ends.
        if (messageType == MessageType.Text && !utf8.Feed(frame.Payload.Span))
            throw InvalidUtf8($"Invalid UTF-8 in fragment {fragments.Count + 1} of the text message (its bytes {length}..{length + frame.Payload.Length - 1}).");

        if (!frame.Fin)
        {
            fragments.Add(frame.Payload);
            length += frame.Payload.Length;
            return null;
        }

        if (messageType == MessageType.Text && !utf8.IsComplete)
            throw InvalidUtf8("The text message ends inside a UTF-8 character.");

        ReadOnlyMemory<byte> data;
        if (fragments.Count == 0)
        {
            data = frame.Payload; // a message in one frame: no copy
        }
        else
        {
            var joined = new byte[length + frame.Payload.Length];
            int at = 0;
            foreach (var fragment in fragments)
            {
                fragment.Span.CopyTo(joined.AsSpan(at));
                at += fragment.Length;
            }
            frame.Payload.Span.CopyTo(joined.AsSpan(at));
            data = joined;
        }
        Clear();
        return new Message(messageType, data);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 9: a text or binary frame starts a message (remember its type, Reset the validator); for text, Feed every fragment's payload to utf8 and throw ProtocolError.InvalidUtf8 at once when it says no. Without FIN keep the payload in fragments and return null. With FIN, a text message must also end between characters (utf8.IsComplete); then join the fragments (a single frame needs no copy), Clear(), and return the Message. Notebook 05 §7, RFC 6455 §5.4 and §8.1.");
    }

    /// <summary>Forgets a half-received message.</summary>
    public void Clear()
    {
        type = null;
        fragments.Clear();
        length = 0;
        utf8.Reset();
    }

    private WebSocketProtocolException InvalidUtf8(string message)
    {
        Clear();
        return new WebSocketProtocolException(ProtocolError.InvalidUtf8, message + " A text message must be UTF-8 (RFC 6455 §8.1).");
    }
}
