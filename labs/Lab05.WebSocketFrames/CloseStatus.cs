using System.Buffers.Binary;
using System.Text;

namespace Lab05.WebSocketFrames;

/// <summary>
/// The payload of a close frame (RFC 6455 §5.5.1): empty, or a 2-byte
/// big-endian status code followed by a UTF-8 reason. <see cref="Code"/> is
/// null for an empty payload; an API reports that as 1005 (No Status
/// Received), which never goes on the wire itself.
/// </summary>
public readonly record struct CloseStatus(int? Code, string Reason = "")
{
    /// <summary>The reason, never null (<c>default(CloseStatus)</c> has none).</summary>
    public string Reason { get => field ?? ""; init; } = Reason;

    /// <summary>A close frame's payload is at most 125 bytes, 2 of them the code: 123 for the reason.</summary>
    public const int MaxReasonBytes = FrameHeader.MaxLength7Bit - 2;

    public CloseStatus(CloseCode code, string reason = "") : this((int)code, reason) { }

    /// <summary>A close with no code and no reason: an empty payload.</summary>
    public static CloseStatus Empty => new(null, "");

    /// <summary>The code as an API reports it: 1005 when the frame had none (§7.1.5).</summary>
    public int ReportedCode => Code ?? (int)CloseCode.NoStatusReceived;

    /// <summary>
    /// Reads a received close frame's payload. Throws
    /// <see cref="WebSocketProtocolException"/> for a 1-byte payload, a code
    /// that may not be on the wire (<see cref="CloseCodes.IsValidOnWire"/>),
    /// or a reason that is not UTF-8.
    /// </summary>
    public static CloseStatus Parse(ReadOnlySpan<byte> payload)
    {
        throw new NotImplementedException("Lab 05 · step 10: an empty payload is CloseStatus.Empty; 1 byte is ProtocolError.ClosePayloadTooShort; else the first 2 bytes are a big-endian code (BinaryPrimitives.ReadUInt16BigEndian) that must pass CloseCodes.IsValidOnWire (else ProtocolError.InvalidCloseCode), and the rest is a reason that must be UTF-8 (Utf8Validator.IsValid, else ProtocolError.InvalidUtf8). Throw WebSocketProtocolException. Notebook 05 §8, RFC 6455 §5.5.1 and §7.4.");
    }

    /// <summary>
    /// The payload to send. Refuses (ArgumentException) a code that may not
    /// be on the wire, a reason without a code, and a reason over 123 UTF-8 bytes.
    /// </summary>
    public byte[] ToPayload()
    {
        throw new NotImplementedException("Lab 05 · step 10: no code gives an empty payload (and then the reason must be empty); a code must pass CloseCodes.IsValidOnWire; the reason is at most 123 UTF-8 bytes (MaxReasonBytes); then 2 bytes of code, big-endian, and the reason's UTF-8. Throw ArgumentException for what may not be sent. Notebook 05 §8, RFC 6455 §5.5.1.");
    }

    // Equal when the code and the reason are, whether a missing reason was null or "".
    public bool Equals(CloseStatus other) => Code == other.Code && Reason == other.Reason;

    public override int GetHashCode() => HashCode.Combine(Code, Reason);

    public override string ToString() =>
        Code is int code ? $"{code} ({CloseCodes.Describe(code)}){(Reason.Length > 0 ? $" \"{Reason}\"" : "")}" : "no status (1005)";
}
