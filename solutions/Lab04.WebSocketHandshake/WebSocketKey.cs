using System.Security.Cryptography;

namespace Lab04.WebSocketHandshake;

/// <summary>Sec-WebSocket-Key: a nonce of 16 random bytes, base64-encoded (RFC 6455 §4.1, item 7 of the request).</summary>
public static class WebSocketKey
{
    /// <summary>Bytes in a key before base64: 16, so 24 characters ending in "==".</summary>
    public const int ByteLength = 16;

    /// <summary>
    /// A fresh key for one handshake: 16 bytes from a cryptographically secure
    /// generator, base64. The RFC asks for a nonce "randomly selected"; a
    /// predictable key would let a hostile page forge answers that a caching
    /// proxy could replay.
    /// </summary>
    public static string Generate()
    {
        // BEGIN SOLUTION
        Span<byte> nonce = stackalloc byte[ByteLength];
        RandomNumberGenerator.Fill(nonce); // the OS CSPRNG, never System.Random
        return Convert.ToBase64String(nonce);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 8: a fresh key: fill 16 bytes with RandomNumberGenerator.Fill (a CSPRNG; never System.Random, whose output can be predicted) and return Convert.ToBase64String of them: 24 characters ending in \"==\". Notebook 04 §7, RFC 6455 §4.1.");
    }

    /// <summary>
    /// Whether <paramref name="key"/> is base64 that decodes to exactly 16
    /// bytes (RFC 6455 §4.2.1, item 5): 22 base64 characters and "==", and
    /// nothing else (no spaces, which .NET's decoder would skip).
    /// </summary>
    public static bool IsValid(string? key)
    {
        // BEGIN SOLUTION
        if (key is not { Length: 24 } || !key.EndsWith("==", StringComparison.Ordinal))
            return false;
        foreach (char c in key.AsSpan(0, 22))
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '/'))
                return false;
        // The 22nd character carries 2 bits of the 16th byte and 4 unused
        // bits; the decoder accepts either, and so does every server seen.
        return true;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 5: a valid key is base64 for exactly 16 bytes: 24 characters, the first 22 from the base64 alphabet (A-Z a-z 0-9 + /) and then \"==\". Check the characters yourself: Convert.FromBase64String skips spaces, so it accepts keys the RFC does not. Notebook 04 §4, RFC 6455 §4.2.1 item 5.");
    }
}
