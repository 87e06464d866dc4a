using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Lab05.WebSocketFrames;

/// <summary>
/// Masking (RFC 6455 §5.3): "octet i of the transformed data is the XOR of
/// octet i of the original data with octet at index i modulo 4 of the
/// masking key". Applying it twice gives the original, so one function both
/// masks and unmasks.
///
/// A key is held as a <see cref="uint"/> whose big-endian bytes are the four
/// octets on the wire: key octet j is <c>(byte)(key &gt;&gt; (24 - 8 * j))</c>.
/// <c>offset</c> is the index into the key of <c>data[0]</c> (0 at the start
/// of a payload); both methods return the index for the byte after the last,
/// so a payload that arrives in pieces is unmasked piece by piece.
/// </summary>
public static class Masking
{
    /// <summary>The reference: one byte at a time, exactly as the RFC says it.</summary>
    public static int ApplyScalar(Span<byte> data, uint key, int offset)
    {
        throw new NotImplementedException("Lab 05 · step 1: for each i, data[i] ^= key octet (offset + i) % 4, where octet j of the key is (byte)(key >> (24 - 8 * j)) (KeyOctet does that); return (offset + data.Length) % 4. Notebook 05 §3, RFC 6455 §5.3.");
    }

    /// <summary>
    /// The same result as <see cref="ApplyScalar"/>, many bytes at a time:
    /// whole vectors (16, 32 or 64 bytes, whatever the CPU has), then
    /// 4-byte words, then single bytes.
    /// </summary>
    public static int Apply(Span<byte> data, uint key, int offset)
    {
        throw new NotImplementedException("Lab 05 · step 2: rotate the key so octet 0 is the one data[0] needs (BitOperations.RotateLeft(key, 8 * offset)), write it big-endian into 4 bytes and read those as a native uint (MemoryMarshal.Read<uint>); XOR whole Vector<byte> blocks with Vector.AsVectorByte(new Vector<uint>(word)), then 4-byte words, then the last bytes one by one. Return (offset + data.Length) % 4. The tests compare it with ApplyScalar at every length 0..300 and every offset. Notebook 05 §3, RFC 6455 §5.3.");
    }

    /// <summary>Octet <paramref name="index"/> (0-3) of <paramref name="key"/> as it goes on the wire.</summary>
    public static byte KeyOctet(uint key, int index) => (byte)(key >> (24 - 8 * index));

    /// <summary>
    /// A fresh masking key from the OS's CSPRNG. RFC 6455 §5.3: keys "MUST
    /// be derived from a strong source of entropy", so that a script cannot
    /// choose the bytes a proxy sees (§10.3, cache poisoning).
    /// </summary>
    public static uint NewKey() => MaskingKeys.Next();
}

/// <summary>
/// Keys drawn from <see cref="RandomNumberGenerator"/> 256 at a time, per
/// thread: one call to the OS for many frames keeps masking cheap for a
/// client that sends small messages.
/// </summary>
internal static class MaskingKeys
{
    private const int Batch = 256;

    [ThreadStatic] private static uint[]? keys;
    [ThreadStatic] private static int next;

    public static uint Next()
    {
        if (keys is null || next == Batch)
        {
            keys ??= new uint[Batch];
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(keys.AsSpan()));
            next = 0;
        }
        return keys[next++];
    }
}
