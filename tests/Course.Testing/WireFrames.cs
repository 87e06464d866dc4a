using System.Buffers.Binary;

namespace Course.Testing;

/// <summary>
/// WebSocket frames as bytes, written by the tests from RFC 6455 §5.2-§5.3
/// alone (never with a lab's encoder), so that they are an independent
/// reference and can also break every rule: reserved bits and opcodes,
/// unmasked frames, lengths in a longer form than needed, headers that
/// announce more than follows. Labs 05 and 06 (and later the client labs)
/// build their test frames on it.
/// </summary>
public static class WireFrames
{
    /// <summary>
    /// One frame: the first byte as given (FIN, RSV bits, opcode), then MASK
    /// and the length in its minimal form, the key, and the payload, masked
    /// when <paramref name="key"/> is not null.
    /// </summary>
    public static byte[] Frame(int first, ReadOnlySpan<byte> payload, uint? key)
    {
        var header = Header(first, payload.Length, key);
        var bytes = new byte[header.Length + payload.Length];
        header.CopyTo(bytes, 0);
        payload.CopyTo(bytes.AsSpan(header.Length));
        if (key is uint k)
            Mask(bytes.AsSpan(header.Length), k);
        return bytes;
    }

    /// <summary>
    /// A header alone, for any length up to long.MaxValue: <paramref name="first"/>
    /// (FIN, RSV, opcode), then MASK and the length in <paramref name="lengthBits"/>
    /// bits (7, 16 or 64; the minimal form when null), then the key. It may
    /// announce more than will follow.
    /// </summary>
    public static byte[] Header(int first, long length, uint? key, int? lengthBits = null)
    {
        int bits = lengthBits ?? (length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64);
        var bytes = new List<byte> { (byte)first };
        byte mask = (byte)(key is null ? 0 : 0x80);
        switch (bits)
        {
            case 7:
                bytes.Add((byte)(mask | length));
                break;
            case 16:
                bytes.AddRange([(byte)(mask | 126), (byte)(length >> 8), (byte)length]);
                break;
            default:
                bytes.Add((byte)(mask | 127));
                for (int shift = 56; shift >= 0; shift -= 8)
                    bytes.Add((byte)((ulong)length >> shift));
                break;
        }
        if (key is uint k)
            bytes.AddRange([(byte)(k >> 24), (byte)(k >> 16), (byte)(k >> 8), (byte)k]);
        return [.. bytes];
    }

    /// <summary>
    /// §5.3 in place: byte i is XORed with octet (offset + i) mod 4 of the key,
    /// the key's octets in network order (as on the wire).
    /// </summary>
    public static void Mask(Span<byte> payload, uint key, int offset = 0)
    {
        Span<byte> octets = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(octets, key);
        for (int i = 0; i < payload.Length; i++)
            payload[i] ^= octets[(offset + i) & 3];
    }
}
