using System.Buffers.Binary;

namespace Lab05.WebSocketFrames;

/// <summary>
/// Everything before a frame's payload (RFC 6455 §5.2):
/// <code>
///  byte 0: FIN RSV1 RSV2 RSV3 opcode(4)
///  byte 1: MASK length(7)            length 0-125: the length itself
///  [2 or 8 bytes: extended length]   126: a 16-bit length follows; 127: a 64-bit one
///  [4 bytes: masking key]            when MASK is set
/// </code>
/// Multi-byte lengths are in network byte order (big-endian).
/// </summary>
/// <param name="Fin">The last frame of a message (always set on control frames).</param>
/// <param name="Opcode">What the frame carries.</param>
/// <param name="PayloadLength">Bytes of payload that follow the header.</param>
/// <param name="MaskingKey">The key when the frame is masked (see <see cref="Masking"/> for its byte order), else null.</param>
/// <param name="Reserved">RSV1-3, set only by a negotiated extension.</param>
public readonly record struct FrameHeader(
    bool Fin, Opcode Opcode, long PayloadLength, uint? MaskingKey = null, ReservedBits Reserved = ReservedBits.None)
{
    /// <summary>The longest header: 2 + 8 (64-bit length) + 4 (key).</summary>
    public const int MaxSize = 14;

    /// <summary>The largest payload a 7-bit length holds; 126 and 127 announce longer lengths.</summary>
    public const int MaxLength7Bit = 125;

    /// <summary>The largest payload a 16-bit length holds.</summary>
    public const int MaxLength16Bit = ushort.MaxValue;

    /// <summary>Whether MASK is set.</summary>
    public bool IsMasked => MaskingKey.HasValue;

    /// <summary>The size of this header on the wire.</summary>
    public int Size => SizeOf(PayloadLength, IsMasked);

    /// <summary>
    /// The size of a header for <paramref name="payloadLength"/> bytes: 2, plus
    /// 2 for a 16-bit or 8 for a 64-bit length, plus 4 for a key.
    /// </summary>
    public static int SizeOf(long payloadLength, bool masked)
    {
        throw new NotImplementedException("Lab 05 · step 3: a header is 2 bytes, plus 2 when the length needs 16 bits (126..65535), plus 8 when it needs 64 (65536 and up), plus 4 when masked. Always the smallest form: RFC 6455 §5.2, \"the minimal number of bytes MUST be used to encode the length\". Notebook 05 §2.");
    }

    /// <summary>
    /// Writes this header at the start of <paramref name="destination"/> and
    /// returns its size (<see cref="Size"/>), always in the minimal form.
    /// </summary>
    public int WriteTo(Span<byte> destination)
    {
        if (PayloadLength < 0)
            throw new InvalidOperationException($"A payload length cannot be negative ({PayloadLength}).");
        if (((byte)Opcode & 0xF0) != 0 || (Reserved & ~(ReservedBits.Rsv1 | ReservedBits.Rsv2 | ReservedBits.Rsv3)) != 0)
            throw new InvalidOperationException($"The opcode (0x{(byte)Opcode:x}) has 4 bits and RSV only bits 0x70 ({(byte)Reserved:x2}).");
        int size = Size;
        if (destination.Length < size)
            throw new ArgumentException($"A {size}-byte header does not fit in {destination.Length} bytes.", nameof(destination));
        throw new NotImplementedException("Lab 05 · step 3: byte 0 is FIN (0x80) | Reserved | opcode; byte 1 is MASK (0x80) | the 7-bit length, or 126 then a 16-bit big-endian length, or 127 then a 64-bit one (BinaryPrimitives.WriteUInt16BigEndian/WriteUInt64BigEndian), always the smallest that fits; then the key, big-endian (WriteUInt32BigEndian), when masked. Return the bytes written. Notebook 05 §2, RFC 6455 §5.2.");
    }

    /// <summary>
    /// Reads a header from the start of <paramref name="source"/>. Returns
    /// false, and reads nothing, while <paramref name="source"/> holds less
    /// than a whole header; else sets <paramref name="header"/> and its size.
    /// Throws <see cref="WebSocketProtocolException"/> for a length with the
    /// top bit set or not in its minimal form. Every other rule (opcodes,
    /// RSV, masking direction, control frames) is the decoder's.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out FrameHeader header, out int size)
    {
        header = default;
        size = 0;
        throw new NotImplementedException("Lab 05 · step 5: from byte 1 learn the header's size (2, +2 for length 126, +8 for 127, +4 when MASK is set) and return false while source is shorter. Then read FIN, RSV (byte 0 & 0x70), the opcode (byte 0 & 0x0F), the length (big-endian; a 64-bit one with the top bit set is ProtocolError.LengthTooLarge, and a 16- or 64-bit length that fits a smaller form is ProtocolError.NonMinimalLength), and the key. Notebook 05 §2, RFC 6455 §5.2.");
    }

    private static WebSocketProtocolException NonMinimal(long length, int bits) =>
        new(ProtocolError.NonMinimalLength,
            $"The payload length {length} came in {bits} bits, but it fits in {(length <= MaxLength7Bit ? 7 : 16)} " +
            "(RFC 6455 §5.2: \"the minimal number of bytes MUST be used to encode the length\").");
}
