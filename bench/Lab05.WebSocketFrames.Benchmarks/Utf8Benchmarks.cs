using System.Text.Unicode;
using BenchmarkDotNet.Attributes;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// Step 7: the course's incremental <see cref="Utf8Validator"/> against .NET's
/// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/> on 64 KiB of text. On
/// ASCII the validator skips ahead with a vectorised search, so both should
/// be fast; on mixed text (Greek, Chinese, Japanese, emoji) it walks byte by
/// byte through a lead-byte switch, while .NET's is vectorised throughout.
/// </summary>
[MemoryDiagnoser]
public class Utf8Benchmarks
{
    public enum TextKind { Ascii, Mixed }

    public const int Size = 64 * 1024;

    [Params(TextKind.Ascii, TextKind.Mixed)]
    public TextKind Kind { get; set; }

    private readonly Utf8Validator validator = new();
    private byte[] text = [];

    [GlobalSetup]
    public void Setup()
    {
        text = Kind == TextKind.Ascii ? Samples.AsciiText(Size) : Samples.MixedText(Size);
        if (!Utf8.IsValid(text) || !Feed())
            throw new InvalidOperationException($"The {Kind} sample should be valid UTF-8 and be accepted.");
    }

    [Benchmark(Baseline = true), Work(Bytes = Size)]
    public bool DotNetIsValid() => Utf8.IsValid(text);

    /// <summary>One whole message: Reset, Feed the bytes, and check it ends between characters.</summary>
    [Benchmark, Work(Bytes = Size)]
    public bool Feed()
    {
        validator.Reset();
        return validator.Feed(text) && validator.IsComplete;
    }
}
