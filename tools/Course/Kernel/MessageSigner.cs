using System.Security.Cryptography;
using System.Text;

namespace Course.Kernel;

/// <summary>
/// HMAC-SHA256 over a message's header, parent header, metadata and content,
/// as lowercase hex (Jupyter messaging, "The Wire Protocol"). The key comes
/// from the connection file; only the client that started the kernel knows
/// it, so an unsigned or wrongly signed message (from another local user, or
/// a web page reaching the port) is never executed. An empty key turns
/// signing off, as the protocol says.
/// </summary>
public sealed class MessageSigner(byte[] key)
{
    public static MessageSigner FromKey(string key) => new(Encoding.UTF8.GetBytes(key));

    public bool Enabled => key.Length > 0;

    public string Sign(IReadOnlyList<byte[]> parts)
    {
        if (!Enabled)
            return "";
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        foreach (var part in parts)
            hmac.AppendData(part);
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>Compares in constant time, so the time taken does not leak how much of a guess was right.</summary>
    public bool Verify(string signature, IReadOnlyList<byte[]> parts)
    {
        if (!Enabled)
            return true;
        var expected = Encoding.ASCII.GetBytes(Sign(parts));
        var actual = Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
