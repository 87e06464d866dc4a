namespace Lab05.WebSocketFrames;

/// <summary>
/// Checks UTF-8 as it arrives, a fragment at a time, and says no at the
/// first byte after which no continuation could be valid (RFC 6455 §8.1:
/// "When an endpoint is to interpret a byte stream as UTF-8 but finds that
/// the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST
/// _Fail the WebSocket Connection_"). A character split between fragments is
/// fine; the message must only not end inside one (<see cref="IsComplete"/>).
///
/// The rules are those of the Unicode Standard, Table 3-7 ("Well-Formed UTF-8
/// Byte Sequences"), which RFC 3629 §4 states as a grammar:
/// <code>
///  00..7F
///  C2..DF  80..BF
///  E0      A0..BF  80..BF     (E0 80..9F would be overlong)
///  E1..EC  80..BF  80..BF
///  ED      80..9F  80..BF     (ED A0..BF would be a surrogate, U+D800..DFFF)
///  EE..EF  80..BF  80..BF
///  F0      90..BF  80..BF  80..BF   (F0 80..8F would be overlong)
///  F1..F3  80..BF  80..BF  80..BF
///  F4      80..8F  80..BF  80..BF   (F4 90.. would be above U+10FFFF)
/// </code>
/// C0, C1 and F5..FF never appear; neither does a continuation byte (80..BF)
/// where a character should start.
/// </summary>
public sealed class Utf8Validator
{
    // Continuation bytes still expected for the current character (0 between characters).
    private int needed;
    // The range allowed for the next continuation byte; only the first one after a lead byte differs from 80..BF.
    private byte lower = 0x80, upper = 0xBF;
    private bool failed;

    /// <summary>True between characters: the text so far can end here.</summary>
    public bool IsComplete => needed == 0 && !failed;

    /// <summary>True once a byte was refused; it stays so until <see cref="Reset"/>.</summary>
    public bool IsFailed => failed;

    /// <summary>
    /// Checks the next <paramref name="bytes"/>. False as soon as a byte
    /// cannot continue valid UTF-8 (and from then on); true when everything
    /// so far could still be valid, even if it stops inside a character.
    /// </summary>
    public bool Feed(ReadOnlySpan<byte> bytes)
    {
        if (failed)
            return false;
        // BEGIN SOLUTION
        int i = 0;
        while (i < bytes.Length)
        {
            if (needed == 0)
            {
                // Between characters: skip ASCII many bytes at a time (IndexOfAnyExceptInRange is vectorised).
                int nonAscii = bytes[i..].IndexOfAnyExceptInRange((byte)0x00, (byte)0x7F);
                if (nonAscii < 0)
                    return true;
                i += nonAscii;
                if (!Start(bytes[i]))
                    return Fail();
            }
            else
            {
                byte b = bytes[i];
                if (b < lower || b > upper)
                    return Fail();
                lower = 0x80;
                upper = 0xBF;
                needed--;
            }
            i++;
        }
        return true;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 7: walk the bytes. Between characters (needed == 0), ASCII (00..7F) is a whole character; a lead byte sets needed (1, 2 or 3) and the range [lower, upper] of the next byte from the table in this file's comment (E0 → A0..BF, ED → 80..9F, F0 → 90..BF, F4 → 80..8F, else 80..BF); anything else fails. Inside a character, a byte outside [lower, upper] fails; then the range goes back to 80..BF and needed--. Keep the state in the fields so the next call carries on; set failed and return false at the first bad byte. Notebook 05 §6, RFC 3629 §4.");
    }

    /// <summary>Forgets everything, for the next message.</summary>
    public void Reset()
    {
        needed = 0;
        lower = 0x80;
        upper = 0xBF;
        failed = false;
    }

    /// <summary>Whether <paramref name="bytes"/> is complete, valid UTF-8.</summary>
    public static bool IsValid(ReadOnlySpan<byte> bytes)
    {
        var validator = new Utf8Validator();
        return validator.Feed(bytes) && validator.IsComplete;
    }

    // BEGIN SOLUTION
    // A lead byte: how many continuation bytes follow, and the range of the first.
    private bool Start(byte lead)
    {
        (needed, lower, upper) = lead switch
        {
            >= 0xC2 and <= 0xDF => (1, (byte)0x80, (byte)0xBF),
            0xE0 => (2, (byte)0xA0, (byte)0xBF),
            >= 0xE1 and <= 0xEC => (2, (byte)0x80, (byte)0xBF),
            0xED => (2, (byte)0x80, (byte)0x9F),
            >= 0xEE and <= 0xEF => (2, (byte)0x80, (byte)0xBF),
            0xF0 => (3, (byte)0x90, (byte)0xBF),
            >= 0xF1 and <= 0xF3 => (3, (byte)0x80, (byte)0xBF),
            0xF4 => (3, (byte)0x80, (byte)0x8F),
            _ => (0, (byte)0x80, (byte)0xBF), // 80..C1 and F5..FF never start a character
        };
        return needed != 0;
    }
    // END SOLUTION

    private bool Fail()
    {
        failed = true;
        return false;
    }
}
