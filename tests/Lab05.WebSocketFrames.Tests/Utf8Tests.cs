using System.Text;
using System.Text.Unicode;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// UTF-8 validation as text arrives (RFC 6455 §8.1; RFC 3629 §3-§4; notebook
/// 05 §6; step 7, <see cref="Utf8Validator.Feed"/>): every valid form is
/// accepted, every ill-formed one refused at the first byte that makes it
/// impossible, and the answer never depends on how the bytes were split.
/// The expected answers come from .NET (<see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>,
/// <see cref="Rune"/>) and from <see cref="Utf8Oracle"/>, not from the lab's table.
/// </summary>
public class Utf8Tests
{
    private const string Read = "Notebook 05 §6; RFC 6455 §8.1; RFC 3629 §4 (the table of well-formed byte sequences, copied at the top of Utf8Validator.cs)";

    private static string Show(ReadOnlySpan<byte> bytes) => "[" + Wire.Hex(bytes) + "]";

    private static byte[] Utf8Of(int codePoint)
    {
        var bytes = new byte[4];
        int length = new Rune(codePoint).EncodeToUtf8(bytes);
        return bytes[..length];
    }

    /// <summary>Feeds the bytes one at a time; returns the index of the first Feed that said false, or -1.</summary>
    private static int FirstRefusedByte(ReadOnlySpan<byte> bytes, Utf8Validator validator)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (!validator.Feed(bytes.Slice(i, 1)))
                return i;
        }
        return -1;
    }

    private static string Describe(int index, ReadOnlySpan<byte> bytes) =>
        index < 0 ? "true for every byte" : $"false first at byte {index} (0x{bytes[index]:x2})";

    /// <summary>Refused whole, after valid text, and one byte at a time exactly at <paramref name="failIndex"/>.</summary>
    private static void ExpectRefused(byte[] bytes, int failIndex, string kind, string why)
    {
        var whole = new Utf8Validator();
        Check.True(!whole.Feed(bytes), $"step 7: Utf8Validator.Feed({Show(bytes)}), {kind}: expected false, got true", why);
        Check.True(!whole.IsComplete, $"step 7: IsComplete after Feed refused {Show(bytes)}: expected false, got true", why);

        byte[] afterText = [.. "ok "u8, .. bytes];
        Check.True(!new Utf8Validator().Feed(afterText), $"step 7: Utf8Validator.Feed({Show(afterText)}), {kind} after valid ASCII: expected false, got true", why);

        int refused = FirstRefusedByte(bytes, new Utf8Validator());
        Check.Equal(Describe(refused, bytes), Describe(failIndex, bytes),
            $"step 7: Utf8Validator.Feed of {Show(bytes)} ({kind}) one byte at a time", why +
            " Say no at the first byte after which no continuation can be valid: not earlier (a valid prefix may still complete), not later (RFC 6455 §8.1: fail as soon as the stream is not UTF-8).");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Accepts_characters_of_every_length_and_the_boundary_code_points()
    {
        // The first and last code point of each length, and the neighbours of the surrogate range.
        (int CodePoint, int Length, string Note)[] cases =
        [
            (0x0000, 1, "the smallest 1-byte character"), (0x007F, 1, "the largest 1-byte character"),
            (0x0080, 2, "the smallest 2-byte character"), (0x07FF, 2, "the largest 2-byte character"),
            (0x0800, 3, "the smallest 3-byte character (lead E0, so the next byte is A0..BF)"),
            (0xD7FF, 3, "the last character before the surrogates (ED 9F BF: after ED, 80..9F)"),
            (0xE000, 3, "the first character after the surrogates"), (0xFFFF, 3, "the largest 3-byte character"),
            (0x10000, 4, "the smallest 4-byte character (lead F0, so the next byte is 90..BF)"),
            (0x10FFFF, 4, "the largest code point (F4 8F BF BF: after F4, 80..8F)"),
            ('A', 1, "ASCII"), (0xE9, 2, "é"), (0x20AC, 3, "€"), (0x1F600, 4, "😀"),
        ];
        foreach (var (codePoint, length, note) in cases)
        {
            var bytes = Utf8Of(codePoint);
            Check.Equal(bytes.Length, length, $"the test's own UTF-8 of U+{codePoint:X4}", "A bug in the test.");
            byte[][] texts = [bytes, [.. "a"u8, .. bytes, .. "z"u8]];
            foreach (var text in texts)
            {
                var validator = new Utf8Validator();
                bool fed = validator.Feed(text);
                Check.True(fed && validator.IsComplete,
                    $"step 7: Utf8Validator.Feed({Show(text)}) with U+{codePoint:X4}, {note}: expected Feed true and IsComplete true, got Feed {fed}, IsComplete {validator.IsComplete}",
                    Read + $". A {length}-byte character: check the lead byte's row of the table, and the range of the byte after it.");
            }
        }

        var all = Encoding.UTF8.GetBytes(string.Concat(cases.Select(c => char.ConvertFromUtf32(c.CodePoint))));
        Check.True(Utf8Validator.IsValid(all), $"step 7: Utf8Validator.IsValid of all of them in a row, {Show(all)}: expected true, got false", Read);

        var ascii = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 200)));
        Check.True(Utf8Validator.IsValid(ascii), $"step 7: Utf8Validator.IsValid of {ascii.Length} bytes of ASCII: expected true, got false", Read);
        var empty = new Utf8Validator();
        Check.True(empty.Feed([]) && empty.IsComplete, "step 7: Feed of no bytes: expected true, with IsComplete true (an empty text is valid)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_overlong_forms()
    {
        // A character in more bytes than it needs: RFC 3629 §3 "MUST NOT" decode them (they smuggled "/" past filters: C0 AF).
        (string Hex, int FailIndex, string Note)[] cases =
        [
            ("c0 80", 0, "U+0000 in 2 bytes: C0 never starts a character"),
            ("c0 af", 0, "\"/\" in 2 bytes"),
            ("c1 bf", 0, "U+007F in 2 bytes: C1 never starts a character"),
            ("e0 80 80", 1, "U+0000 in 3 bytes: after E0 only A0..BF"),
            ("e0 9f bf", 1, "U+07FF in 3 bytes: after E0 only A0..BF"),
            ("f0 80 80 80", 1, "U+0000 in 4 bytes: after F0 only 90..BF"),
            ("f0 8f bf bf", 1, "U+FFFF in 4 bytes: after F0 only 90..BF"),
        ];
        foreach (var (hex, failIndex, note) in cases)
            ExpectRefused(Wire.Bytes(hex), failIndex, "an overlong form, " + note, Read + ". Overlong forms are not UTF-8 (RFC 3629 §3).");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_surrogates_and_CESU_8_pairs()
    {
        (string Hex, int FailIndex, string Note)[] cases =
        [
            ("ed a0 80", 1, "U+D800, the first surrogate: after ED only 80..9F"),
            ("ed bf bf", 1, "U+DFFF, the last surrogate"),
            ("ed ad bf", 1, "U+DB7F, a high surrogate"),
            ("ed a0 bd ed b8 80", 1, "😀 as a CESU-8 surrogate pair (what UTF-16 code units encoded one by one give)"),
        ];
        foreach (var (hex, failIndex, note) in cases)
            ExpectRefused(Wire.Bytes(hex), failIndex, note, Read + ". U+D800..U+DFFF are not characters: UTF-8 never encodes them (RFC 3629 §3).");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_code_points_above_U_10FFFF_and_the_bytes_F5_to_FF()
    {
        ExpectRefused(Wire.Bytes("f4 90 80 80"), 1, "U+110000, one above the last code point: after F4 only 80..8F", Read);
        ExpectRefused(Wire.Bytes("f7 bf bf bf"), 0, "U+1FFFFF, the largest 4-byte pattern", Read);
        ExpectRefused(Wire.Bytes("f8 88 80 80 80"), 0, "a 5-byte pattern of the old RFC 2279", Read);
        ExpectRefused(Wire.Bytes("fc 84 80 80 80 80"), 0, "a 6-byte pattern of the old RFC 2279", Read);
        for (int lead = 0xF5; lead <= 0xFF; lead++)
            ExpectRefused([(byte)lead, 0x80, 0x80, 0x80], 0, $"0x{lead:x2} as a lead byte",
                Read + ". Bytes F5..FF never appear in UTF-8: they would start code points above U+10FFFF.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_continuation_bytes_where_a_character_should_start()
    {
        for (int b = 0x80; b <= 0xBF; b++)
            ExpectRefused([(byte)b], 0, $"a lone continuation byte 0x{b:x2}", Read + ". 80..BF only continue a character.");
        ExpectRefused(Wire.Bytes("61 80"), 1, "a continuation byte after ASCII", Read);
        ExpectRefused(Wire.Bytes("c3 a9 a9"), 2, "a continuation byte after the complete character é", Read);
        ExpectRefused(Wire.Bytes("e2 82 ac 80"), 3, "a continuation byte after the complete character €", Read);
        byte[] longAscii = [.. Encoding.ASCII.GetBytes(new string('x', 70)), 0x80];
        ExpectRefused(longAscii, 70, "a continuation byte after 70 bytes of ASCII (past a vectorised fast path, if you wrote one)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_character_cut_at_the_end_is_incomplete_but_not_refused()
    {
        string[] cut = ["c3", "e2", "e2 82", "f0", "f0 9f", "f0 9f 98", "61 62 63 e2 82", "f4 8f bf"];
        foreach (var hex in cut)
        {
            var bytes = Wire.Bytes(hex);
            var validator = new Utf8Validator();
            bool fed = validator.Feed(bytes);
            Check.True(fed, $"step 7: Utf8Validator.Feed({Show(bytes)}): expected true (the character may go on in the next fragment), got false",
                Read + ". Feed says false only when no continuation could be valid; a valid start of a character is not an error yet.");
            Check.True(!validator.IsComplete, $"step 7: IsComplete after Feed({Show(bytes)}): expected false (the text stops inside a character), got true",
                Read + ". IsComplete is true only between characters: keep the number of continuation bytes still needed.");
            Check.True(!Utf8Validator.IsValid(bytes), $"step 7: Utf8Validator.IsValid({Show(bytes)}): expected false, got true", Read);
        }

        // ...and the rest of the character, in a second Feed, completes it.
        var euro = new Utf8Validator();
        bool first = euro.Feed(Wire.Bytes("61 e2 82")), second = euro.Feed(Wire.Bytes("ac 62"));
        Check.True(first && second && euro.IsComplete,
            $"step 7: Feed([61 e2 82]) then Feed([ac 62]) (\"a€b\" split inside €): expected true, true and IsComplete true, got {first}, {second}, {euro.IsComplete}",
            Read + ". Keep the state (bytes still needed, the allowed range) in the fields between calls.");

        // A cut character followed by something that is not a continuation byte is an error at that byte.
        ExpectRefused(Wire.Bytes("e2 82 41"), 2, "€ cut short by an ASCII 'A'", Read);
        ExpectRefused(Wire.Bytes("f0 9f 98 f0 9f 98 80"), 3, "😀 cut short by the start of another 😀", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public void Fails_fast_at_the_first_byte_that_no_continuation_can_make_valid()
    {
        // The index of the first false, written out here and cross-checked with the oracle
        // (Utf8Oracle_agrees_with_the_fail_fast_examples, ungraded).
        foreach (var (hex, failIndex, note) in FailFastExamples)
            ExpectRefusedOrAccepted(Wire.Bytes(hex), failIndex, note);
    }

    /// <summary>Bytes, where a fail-fast validator first says no (-1: never), and why.</summary>
    public static readonly (string Hex, int FailIndex, string Note)[] FailFastExamples =
    [
        ("c0", 0, "C0 can start nothing"),
        ("e0 80", 1, "after E0 only A0..BF (E0 80 would be overlong)"),
        ("e0 a0", -1, "E0 A0 can still become U+0800"),
        ("ed a0", 1, "after ED only 80..9F (ED A0 would be a surrogate)"),
        ("ed 9f", -1, "ED 9F can still become U+D7C0..U+D7FF"),
        ("f0 8f", 1, "after F0 only 90..BF"),
        ("f0 90 80", -1, "F0 90 80 can still become U+10000"),
        ("f4 90", 1, "after F4 only 80..8F (F4 90 would be above U+10FFFF)"),
        ("f4 8f bf", -1, "F4 8F BF can still become U+10FFFF"),
        ("f5", 0, "F5 can start nothing"),
        ("61 62 e2 82 41", 4, "€ cut short by 'A'"),
        ("e2 82 ac e2 82 ac c3", -1, "two € and the start of é"),
        ("c3 a9 80", 2, "a continuation byte after é"),
        ("e1 80 80 80", 3, "a fourth byte after a 3-byte character"),
    ];

    private static void ExpectRefusedOrAccepted(byte[] bytes, int failIndex, string note)
    {
        int refused = FirstRefusedByte(bytes, new Utf8Validator());
        Check.Equal(Describe(refused, bytes), Describe(failIndex, bytes),
            $"step 7: Utf8Validator.Feed of {Show(bytes)} one byte at a time ({note})",
            Read + ". Feed says false at the first byte after which no continuation can be valid, and not before: " +
            "the byte after a lead byte has its own range (E0: A0..BF, ED: 80..9F, F0: 90..BF, F4: 80..8F), so an error can show at the second byte, before the character is complete.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Splitting_the_text_anywhere_gives_the_same_answer()
    {
        var valid = Encoding.UTF8.GetBytes("a é € 😀 ü 中 𝄞 z");
        for (int i = 0; i <= valid.Length; i++)
        {
            for (int j = i; j <= valid.Length; j++)
            {
                var validator = new Utf8Validator();
                bool a = validator.Feed(valid.AsSpan(0, i)), b = validator.Feed(valid.AsSpan(i, j - i)), c = validator.Feed(valid.AsSpan(j));
                Check.True(a && b && c && validator.IsComplete,
                    $"step 7: Feed of {Show(valid)} in three pieces cut at bytes {i} and {j}: expected true, true, true and IsComplete true, got {a}, {b}, {c} and {validator.IsComplete}",
                    Read + ". A character may be cut anywhere between two Feed calls (fragments split text anywhere, RFC 6455 §5.4): keep what the next byte must be in the fields.");
            }
        }

        // The same text with a surrogate (ED A0 80) in the middle: the piece that holds the A0 says no.
        byte[] invalid = [.. valid[..9], 0xED, 0xA0, 0x80, .. valid[9..]];
        int bad = 10;
        for (int i = 0; i <= invalid.Length; i++)
        {
            var validator = new Utf8Validator();
            bool a = validator.Feed(invalid.AsSpan(0, i)), b = validator.Feed(invalid.AsSpan(i));
            bool expectedA = i <= bad;
            Check.True(a == expectedA && !b && !validator.IsComplete,
                $"step 7: Feed of {Show(invalid)} (a surrogate at byte 9) in two pieces cut at byte {i}: expected {expectedA}, false and IsComplete false, got {a}, {b} and {validator.IsComplete}",
                Read + ". The piece that holds byte 10 (A0 after ED) says false; an earlier piece says true; after a false, Feed stays false.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Agrees_with_dotnet_on_random_bytes()
    {
        const int seed = 3629;
        var random = new Random(seed);
        for (int index = 0; index < 3000; index++)
        {
            var bytes = RandomText(random);
            bool valid = Utf8.IsValid(bytes);
            int failIndex = Utf8Oracle.FailIndex(bytes);
            string where = $"(seed {seed}, case {index})";

            var whole = new Utf8Validator();
            bool fed = whole.Feed(bytes);
            Check.Equal(fed && whole.IsComplete, valid,
                $"step 7: Feed then IsComplete for {Show(bytes)} {where}, compared with .NET's Utf8.IsValid", Read);

            var oneByOne = new Utf8Validator();
            int refused = FirstRefusedByte(bytes, oneByOne);
            Check.Equal(Describe(refused, bytes), Describe(failIndex, bytes),
                $"step 7: Feed of {Show(bytes)} one byte at a time {where}", Read + ". The expected index is the first byte after which no continuation can be valid.");

            int cut = random.Next(bytes.Length + 1);
            var split = new Utf8Validator();
            bool both = split.Feed(bytes.AsSpan(0, cut)) & split.Feed(bytes.AsSpan(cut));
            Check.Equal(both && split.IsComplete, valid, $"step 7: Feed of {Show(bytes)} in two pieces cut at byte {cut} {where}", Read);
        }
    }

    /// <summary>Random bytes that look like UTF-8 often enough to test it: whole characters, cut ones, and bytes 80..F7.</summary>
    internal static byte[] RandomText(Random random)
    {
        var bytes = new List<byte>();
        int tokens = random.Next(0, 9);
        for (int t = 0; t < tokens; t++)
        {
            int kind = random.Next(10);
            if (kind < 4)
            {
                // A whole character of 1-4 bytes.
                int[] lower = [0, 0x80, 0x800, 0x10000], upper = [0x7F, 0x7FF, 0xFFFF, 0x10FFFF];
                int length = random.Next(4);
                int value;
                do
                    value = random.Next(lower[length], upper[length] + 1);
                while (!Rune.IsValid(value));
                var encoded = Utf8Of(value);
                bytes.AddRange(kind == 3 ? encoded[..random.Next(encoded.Length)] : encoded); // kind 3: cut short
            }
            else if (kind < 9)
                bytes.Add((byte)random.Next(0x80, 0xF8));
            else
                bytes.Add((byte)random.Next(0x100));
        }
        return bytes.ToArray();
    }

    [Fact, Graded(1, Hint = Read)]
    public void After_a_refusal_Feed_stays_false_until_Reset()
    {
        var validator = new Utf8Validator();
        Check.True(!validator.Feed(Wire.Bytes("61 c0")), "step 7: Feed([61 c0]): expected false, got true", Read);
        Check.True(!validator.Feed("abc"u8), "step 7: Feed(\"abc\") after a refusal: expected false (the text is already invalid), got true",
            Read + ". Set failed when you say no; Feed returns false while it is set.");
        Check.True(!validator.Feed(Encoding.ASCII.GetBytes(new string('x', 100))), "step 7: Feed of 100 ASCII bytes after a refusal: expected false, got true",
            Read + ". Check failed before any fast path for ASCII.");
        Check.True(!validator.IsComplete, "step 7: IsComplete after a refusal: expected false, got true", Read);
        Check.True(validator.IsFailed, "step 7: IsFailed after a refusal: expected true, got false", Read);

        validator.Reset();
        Check.True(validator.Feed("abc"u8) && validator.IsComplete, "step 7: Feed(\"abc\") after Reset: expected true and IsComplete true", Read);

        var midCharacter = new Utf8Validator();
        midCharacter.Feed(Wire.Bytes("e2 82"));
        midCharacter.Reset();
        Check.True(midCharacter.Feed("abc"u8) && midCharacter.IsComplete,
            "step 7: Feed(\"abc\") after Feed([e2 82]) and Reset: expected true and IsComplete true (Reset forgets the half character)", Read);
    }

    // Not graded: checks the test's own oracle, so that a failure above is never the oracle's fault.
    [Fact]
    public void Utf8Oracle_agrees_with_the_fail_fast_examples_and_with_dotnets_streaming_decoder()
    {
        foreach (var (hex, failIndex, note) in FailFastExamples)
            Check.Equal(Utf8Oracle.FailIndex(Wire.Bytes(hex)), failIndex, $"the oracle's fail index for [{hex}] ({note})", "A bug in the test's oracle.");

        // .NET's decoder, told more may follow (isFinalBlock: false), answers NeedMoreData for a valid start of a character.
        var random = new Random(6455);
        var chars = new char[64];
        for (int index = 0; index < 2000; index++)
        {
            var bytes = RandomText(random);
            for (int length = 0; length <= bytes.Length; length++)
            {
                var status = Utf8.ToUtf16(bytes.AsSpan(0, length), chars, out _, out _, replaceInvalidSequences: false, isFinalBlock: false);
                Check.Equal(Utf8Oracle.CanStillBeValid(bytes.AsSpan(0, length)), status != System.Buffers.OperationStatus.InvalidData,
                    $"the oracle on {Show(bytes.AsSpan(0, length))} (case {index}) against Utf8.ToUtf16's {status}", "A bug in the test's oracle.");
            }
        }
    }
}
