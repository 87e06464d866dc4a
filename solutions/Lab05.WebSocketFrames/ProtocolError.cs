namespace Lab05.WebSocketFrames;

/// <summary>
/// Why the codec refuses what the peer sent. Each one fails the connection
/// (RFC 6455 §7.1.7) with the close code <see cref="ProtocolErrors.CloseCodeFor"/> gives.
/// </summary>
public enum ProtocolError
{
    // Frame layout (§5.2)
    /// <summary>RSV1, RSV2 or RSV3 is set and no extension gave it a meaning.</summary>
    ReservedBitsSet,
    /// <summary>An opcode RFC 6455 reserves (0x3-0x7, 0xB-0xF).</summary>
    ReservedOpcode,
    /// <summary>A 16- or 64-bit length that would have fit in fewer bytes ("the minimal number of bytes MUST be used").</summary>
    NonMinimalLength,
    /// <summary>A 64-bit length with its most significant bit set ("MUST be 0").</summary>
    LengthTooLarge,

    // Masking (§5.1, §5.3)
    /// <summary>A server received an unmasked frame from a client.</summary>
    UnmaskedFrame,
    /// <summary>A client received a masked frame from a server.</summary>
    MaskedFrame,

    // Control frames (§5.5)
    /// <summary>A control frame without FIN: control frames "MUST NOT be fragmented".</summary>
    FragmentedControlFrame,
    /// <summary>A control frame with more than 125 bytes of payload.</summary>
    ControlFrameTooLong,

    // Fragmentation (§5.4)
    /// <summary>A continuation frame when no fragmented message had started.</summary>
    UnexpectedContinuation,
    /// <summary>A text or binary frame while a fragmented message was still open.</summary>
    UnfinishedMessage,

    // Payload
    /// <summary>A text message, or a close reason, that is not UTF-8 (§8.1).</summary>
    InvalidUtf8,
    /// <summary>A close frame with a 1-byte payload: a code is 2 bytes (§5.5.1).</summary>
    ClosePayloadTooShort,
    /// <summary>A close code that may not appear on the wire (§7.4).</summary>
    InvalidCloseCode,

    // Limits (§10.4)
    /// <summary>A message longer than the configured maximum.</summary>
    MessageTooBig,
    /// <summary>A message in more fragments than the configured maximum.</summary>
    TooManyFragments,
}

/// <summary>
/// The peer broke the protocol: <see cref="Error"/> says how, the message
/// says what came, and <see cref="CloseCode"/> is what to close with. The
/// message is for logs and tests; what goes to the peer is the code and,
/// at most, a short reason.
/// </summary>
public sealed class WebSocketProtocolException(ProtocolError error, string message) : Exception(message)
{
    /// <summary>How the peer broke the protocol.</summary>
    public ProtocolError Error { get; } = error;

    /// <summary>The code to fail the connection with.</summary>
    public CloseCode CloseCode => ProtocolErrors.CloseCodeFor(Error);
}

/// <summary>The one place that decides which close code each error gets.</summary>
public static class ProtocolErrors
{
    /// <summary>
    /// The close code for <paramref name="error"/>: 1007 for invalid UTF-8
    /// (RFC 6455 §8.1 and §7.4.1, "data within a message that was not
    /// consistent with the type"), 1009 for a message over a limit (§7.4.1,
    /// "a message that is too big for it to process"), 1002 for every other
    /// broken rule.
    /// </summary>
    public static CloseCode CloseCodeFor(ProtocolError error)
    {
        // BEGIN SOLUTION
        return error switch
        {
            ProtocolError.InvalidUtf8 => CloseCode.InvalidPayloadData,
            // Too many fragments is a size limit counted in frames, not bytes.
            ProtocolError.MessageTooBig or ProtocolError.TooManyFragments => CloseCode.MessageTooBig,
            _ => CloseCode.ProtocolError,
        };
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 4: a switch from ProtocolError to CloseCode: InvalidUtf8 → 1007 (InvalidPayloadData), MessageTooBig and TooManyFragments → 1009 (MessageTooBig), every other error → 1002 (ProtocolError). Notebook 05 §5, RFC 6455 §7.4.1.");
    }
}
