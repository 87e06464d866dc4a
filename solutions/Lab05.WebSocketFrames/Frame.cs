using System.Text;

namespace Lab05.WebSocketFrames;

/// <summary>
/// One frame with its payload unmasked: what the decoder yields and what the
/// encoder writes. The masking key is not part of it: it belongs to one
/// transmission (the encoder draws a fresh one for each frame a client sends).
/// </summary>
public sealed class Frame
{
    public Frame(Opcode opcode, ReadOnlyMemory<byte> payload, bool fin = true, ReservedBits reserved = ReservedBits.None)
    {
        Opcode = opcode;
        Payload = payload;
        Fin = fin;
        Reserved = reserved;
    }

    /// <summary>What the frame carries.</summary>
    public Opcode Opcode { get; }

    /// <summary>The application data, unmasked.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Whether this is the last frame of its message.</summary>
    public bool Fin { get; }

    /// <summary>RSV1-3 (only with a negotiated extension).</summary>
    public ReservedBits Reserved { get; }

    /// <summary>A whole text message in one frame.</summary>
    public static Frame Text(string text, bool fin = true) => new(Opcode.Text, Utf8Text.GetBytes(text), fin);

    /// <summary>A whole binary message in one frame.</summary>
    public static Frame Binary(ReadOnlyMemory<byte> data, bool fin = true) => new(Opcode.Binary, data, fin);

    /// <summary>The next fragment of a message (RFC 6455 §5.4).</summary>
    public static Frame Continuation(ReadOnlyMemory<byte> data, bool fin) => new(Opcode.Continuation, data, fin);

    /// <summary>A ping; the peer answers with a pong carrying the same payload (§5.5.2).</summary>
    public static Frame Ping(ReadOnlyMemory<byte> payload = default) => new(Opcode.Ping, payload);

    /// <summary>A pong (§5.5.3).</summary>
    public static Frame Pong(ReadOnlyMemory<byte> payload = default) => new(Opcode.Pong, payload);

    /// <summary>A close frame with a status and a reason (§5.5.1; see <see cref="CloseStatus"/>).</summary>
    public static Frame Close(CloseStatus status) => new(Opcode.Close, status.ToPayload());

    /// <summary>A close frame with a code and a reason.</summary>
    public static Frame Close(CloseCode code, string reason = "") => Close(new CloseStatus(code, reason));

    /// <summary>The payload as text (for text frames and fragments of text).</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>The frame annotated as by <see cref="FrameFormatter"/>, unmasked (also a frame no endpoint may send).</summary>
    public override string ToString() => FrameFormatter.Format(this);
}
