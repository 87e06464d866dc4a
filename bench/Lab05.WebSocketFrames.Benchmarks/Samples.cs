using System.Text;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>The inputs the benchmarks share, made once in a [GlobalSetup].</summary>
public static class Samples
{
    /// <summary>RFC 6455 §5.7's example key: a fixed key keeps runs comparable.</summary>
    public const uint Key = 0x37fa213d;

    /// <summary>A typical small chat message: 32 bytes of JSON.</summary>
    public const string Text32 = """{"type":"msg","text":"hi there"}""";

    /// <summary><paramref name="frame"/> as a client sends it (masked with <see cref="Key"/>).</summary>
    public static byte[] Masked(Frame frame) => FrameEncoder.Encode(frame, Key);

    /// <summary><paramref name="count"/> masked copies of <paramref name="frame"/>, back to back.</summary>
    public static byte[] MaskedStream(Frame frame, int count)
    {
        var one = Masked(frame);
        var stream = new byte[one.Length * count];
        for (int i = 0; i < count; i++)
            one.CopyTo(stream, i * one.Length);
        return stream;
    }

    /// <summary>Seeded random bytes (a binary payload).</summary>
    public static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(20260505).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Exactly <paramref name="size"/> bytes of ASCII text.</summary>
    public static byte[] AsciiText(int size) => Fill("The quick brown fox jumps over the lazy dog. 0123456789\n", size);

    /// <summary>
    /// Exactly <paramref name="size"/> bytes of UTF-8 that is mostly not
    /// ASCII: Greek (2 bytes a letter), Chinese (3 bytes), emoji (4 bytes,
    /// a surrogate pair in UTF-16), with a few ASCII spaces in between.
    /// </summary>
    public static byte[] MixedText(int size) => Fill("Καλημέρα κόσμε 你好世界 こんにちは 😀🎉🚀 ", size);

    // Repeats whole characters of text while they fit, then pads with ASCII spaces.
    private static byte[] Fill(string text, int size)
    {
        var bytes = new byte[size];
        int at = 0;
        while (true)
        {
            foreach (var rune in text.EnumerateRunes())
            {
                if (at + rune.Utf8SequenceLength > size)
                {
                    bytes.AsSpan(at).Fill((byte)' ');
                    return bytes;
                }
                at += rune.EncodeToUtf8(bytes.AsSpan(at));
            }
        }
    }
}
