using System.Buffers.Binary;

namespace Lab01.SocketEcho;

/// <summary>
/// Length-prefixed messages: a 4-byte unsigned length in big-endian order
/// ("network byte order", the order of every length in the TCP/IP headers,
/// RFC 1700), then that many payload bytes. Any bytes can be sent, and the
/// reader knows in advance how much to wait for; but the stream is no longer
/// readable by eye. WebSocket frames (lab 05) use the same idea.
/// </summary>
public static class LengthPrefixFraming
{
    /// <summary>The size of the length prefix.</summary>
    public const int HeaderLength = 4;

    /// <summary>The 4-byte big-endian length of <paramref name="payload"/>, then the payload.</summary>
    /// <example><c>Encode(258 bytes)</c> starts <c>00 00 01 02</c>: 258 = 1 × 256 + 2.</example>
    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        throw new NotImplementedException("Lab 01 · step 7: new byte[HeaderLength + payload.Length]; write the length big-endian in the first 4 bytes (BinaryPrimitives.WriteUInt32BigEndian); copy the payload after it. Notebook 01 §6.");
    }
}
