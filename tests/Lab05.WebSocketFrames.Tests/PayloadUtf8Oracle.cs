using System.Text;
using System.Text.Unicode;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The test's own answer to "where must a streaming UTF-8 validator say no?",
/// built from the definition rather than from the table the lab uses:
/// valid UTF-8 is a concatenation of the encodings of scalar values
/// (U+0000..U+10FFFF without the surrogates; RFC 3629 §3), so bytes can
/// still become valid exactly when they are valid UTF-8 (per .NET's
/// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>) followed by a proper
/// prefix of one scalar value's encoding (at most 3 bytes, per .NET's
/// <see cref="Rune.EncodeToUtf8"/>).
/// </summary>
/// <remarks>
/// This is the brute force "is there an extension of up to 3 bytes that
/// makes it valid?" with the search done once, up front: the proper
/// prefixes of every scalar value's encoding are exactly the tails such an
/// extension can complete. (UTF-8 has no encoding that is a prefix of
/// another, so the split between the valid part and the tail is unique.)
/// </remarks>
internal static class Utf8Oracle
{
    // Each tail of 0-3 bytes as one int: its length in the top byte, then its bytes.
    private static readonly HashSet<int> ProperPrefixes = BuildProperPrefixes();

    private static int Key(ReadOnlySpan<byte> tail)
    {
        int key = tail.Length << 24;
        for (int i = 0; i < tail.Length; i++)
            key |= tail[i] << (16 - 8 * i);
        return key;
    }

    private static HashSet<int> BuildProperPrefixes()
    {
        var prefixes = new HashSet<int>();
        Span<byte> encoded = stackalloc byte[4];
        // The last byte of an encoding holds the low 6 bits of the code point, so
        // a proper prefix never depends on them: one code point in 64 is enough.
        for (int value = 0; value <= 0x10FFFF; value += 64)
        {
            if (!Rune.IsValid(value))
                continue; // the surrogates U+D800..U+DFFF have no UTF-8 encoding
            int length = new Rune(value).EncodeToUtf8(encoded);
            for (int cut = 0; cut < length; cut++)
                prefixes.Add(Key(encoded[..cut]));
        }
        return prefixes;
    }

    /// <summary>True when <paramref name="tail"/> is the start of some character's encoding (or empty), not a whole one.</summary>
    public static bool IsProperPrefixOfACharacter(ReadOnlySpan<byte> tail) =>
        tail.Length <= 3 && ProperPrefixes.Contains(Key(tail));

    /// <summary>True when some bytes after <paramref name="prefix"/> (or none) make it valid UTF-8.</summary>
    public static bool CanStillBeValid(ReadOnlySpan<byte> prefix)
    {
        for (int split = prefix.Length; split >= Math.Max(0, prefix.Length - 3); split--)
        {
            if (IsProperPrefixOfACharacter(prefix[split..]) && Utf8.IsValid(prefix[..split]))
                return true;
        }
        return false;
    }

    /// <summary>
    /// The index of the first byte after which no continuation can be valid
    /// (where a fail-fast validator must first say no), or -1 when every
    /// prefix can still become valid (the bytes are valid, or stop inside a character).
    /// </summary>
    public static int FailIndex(ReadOnlySpan<byte> bytes)
    {
        for (int length = 1; length <= bytes.Length; length++)
        {
            if (!CanStillBeValid(bytes[..length]))
                return length - 1;
        }
        return -1;
    }
}
