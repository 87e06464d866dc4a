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
        // BEGIN SOLUTION
        int size = payloadLength switch
        {
            <= MaxLength7Bit => 2,
            <= MaxLength16Bit => 2 + 2,
            _ => 2 + 8,
        };
        return masked ? size + 4 : size;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 3: a header is 2 bytes, plus 2 when the length needs 16 bits (126..65535), plus 8 when it needs 64 (65536 and up), plus 4 when masked. Always the smallest form: RFC 6455 §5.2, \"the minimal number of bytes MUST be used to encode the length\". Notebook 05 §2.");
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
        // BEGIN SOLUTION
        destination[0] = (byte)((Fin ? 0x80 : 0) | (byte)Reserved | (byte)Opcode);
        byte mask = (byte)(IsMasked ? 0x80 : 0);
        int at;
        if (PayloadLength <= MaxLength7Bit)
        {
            destination[1] = (byte)(mask | (byte)PayloadLength);
            at = 2;
        }
        else if (PayloadLength <= MaxLength16Bit)
        {
            destination[1] = (byte)(mask | 126);
            BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)PayloadLength);
            at = 4;
        }
        else
        {
            destination[1] = (byte)(mask | 127);
            BinaryPrimitives.WriteUInt64BigEndian(destination[2..], (ulong)PayloadLength); // top bit 0: a long is never negative here
            at = 10;
        }
        if (MaskingKey is uint key)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[at..], key);
            at += 4;
        }
        return at;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 3: byte 0 is FIN (0x80) | Reserved | opcode; byte 1 is MASK (0x80) | the 7-bit length, or 126 then a 16-bit big-endian length, or 127 then a 64-bit one (BinaryPrimitives.WriteUInt16BigEndian/WriteUInt64BigEndian), always the smallest that fits; then the key, big-endian (WriteUInt32BigEndian), when masked. Return the bytes written. Notebook 05 §2, RFC 6455 §5.2.");
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
        // BEGIN SOLUTION
        if (source.Length < 2)
            return false;
        bool masked = (source[1] & 0x80) != 0;
        int length7 = source[1] & 0x7F;
        int lengthBytes = length7 switch { 126 => 2, 127 => 8, _ => 0 };
        size = 2 + lengthBytes + (masked ? 4 : 0);
        if (source.Length < size)
        {
            size = 0;
            return false;
        }

        long length;
        if (length7 == 126)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(source[2..]);
            if (length <= MaxLength7Bit)
                throw NonMinimal(length, 16);
        }
        else if (length7 == 127)
        {
            ulong length64 = BinaryPrimitives.ReadUInt64BigEndian(source[2..]);
            // RFC 6455 §5.2: "the most significant bit MUST be 0".
            if (length64 > long.MaxValue)
                throw new WebSocketProtocolException(ProtocolError.LengthTooLarge,
                    $"The 64-bit payload length 0x{length64:x16} has its most significant bit set (RFC 6455 §5.2: it MUST be 0).");
            length = (long)length64;
            if (length <= MaxLength16Bit)
                throw NonMinimal(length, 64);
        }
        else
        {
            length = length7;
        }

        header = new FrameHeader(
            Fin: (source[0] & 0x80) != 0,
            Opcode: (Opcode)(source[0] & 0x0F),
            PayloadLength: length,
            MaskingKey: masked ? BinaryPrimitives.ReadUInt32BigEndian(source[(2 + lengthBytes)..]) : null,
            Reserved: (ReservedBits)(source[0] & 0x70));
        return true;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 5: from byte 1 learn the header's size (2, +2 for length 126, +8 for 127, +4 when MASK is set) and return false while source is shorter. Then read FIN, RSV (byte 0 & 0x70), the opcode (byte 0 & 0x0F), the length (big-endian; a 64-bit one with the top bit set is ProtocolError.LengthTooLarge, and a 16- or 64-bit length that fits a smaller form is ProtocolError.NonMinimalLength), and the key. Notebook 05 §2, RFC 6455 §5.2.");
    }

    private static WebSocketProtocolException NonMinimal(long length, int bits) =>
        new(ProtocolError.NonMinimalLength,
            $"The payload length {length} came in {bits} bits, but it fits in {(length <= MaxLength7Bit ? 7 : 16)} " +
            "(RFC 6455 §5.2: \"the minimal number of bytes MUST be used to encode the length\").");
}
