using BenchmarkDotNet.Attributes;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// Steps 5 to 9: a server's receive path. <see cref="FrameDecoder.DecodeAll"/>
/// over bytes as a socket would hand them over (all at once here), and
/// <see cref="MessageAssembler.Add"/> on the frames it yields.
/// Small text frames show the cost per frame (header parsing, the rules of
/// step 6, one payload array and one Frame object each); large binary frames
/// show the cost per byte (copy and unmask), which should approach the
/// vectorised masking of <see cref="MaskingBenchmarks"/>, less the cost of
/// allocating the payload.
/// </summary>
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    /// <summary>Small frames decoded per invocation; times and allocations are per frame.</summary>
    public const int TextFrames = 1000;

    /// <summary>Bytes per socket read in <see cref="DecodeBinary1MiBIn16KiBReads"/>.</summary>
    public const int ReadSize = 16 * 1024;

    private byte[] textStream = [];
    private byte[] binary64K = [];
    private byte[] binary1M = [];
    private List<Frame> textFrames = [];

    [GlobalSetup]
    public void Setup()
    {
        textStream = Samples.MaskedStream(Frame.Text(Samples.Text32), TextFrames);
        binary64K = Samples.Masked(Frame.Binary(Samples.RandomBytes(64 * 1024)));
        binary1M = Samples.Masked(Frame.Binary(Samples.RandomBytes(1024 * 1024))); // FrameLimits.Default's largest message
        textFrames = new FrameDecoder(Role.Server).DecodeAll(textStream);
        if (textFrames.Count != TextFrames || textFrames[0].PayloadText != Samples.Text32)
            throw new InvalidOperationException("The decoder did not give back the 1000 text frames it was given.");
    }

    /// <summary>1000 masked 32-byte text frames (38 bytes each on the wire); per frame.</summary>
    [Benchmark(OperationsPerInvoke = TextFrames), Work(Bytes = 32, Frames = 1)]
    public List<Frame> DecodeText32B() => new FrameDecoder(Role.Server).DecodeAll(textStream);

    /// <summary>One masked 64 KiB binary frame (16-bit length).</summary>
    [Benchmark, Work(Bytes = 64 * 1024, Frames = 1)]
    public List<Frame> DecodeBinary64KiB() => new FrameDecoder(Role.Server).DecodeAll(binary64K);

    /// <summary>One masked 1 MiB binary frame (64-bit length; the payload array lands on the large object heap).</summary>
    [Benchmark, Work(Bytes = 1024 * 1024, Frames = 1)]
    public List<Frame> DecodeBinary1MiB() => new FrameDecoder(Role.Server).DecodeAll(binary1M);

    /// <summary>
    /// The same 1 MiB frame handed over 16 KiB at a time, as socket reads
    /// would: the decoder's payload buffer grows with what arrives (4 KiB,
    /// then doubling), so a peer that announces 1 MiB and sends little costs
    /// little (RFC 6455 §10.4). Against <see cref="DecodeBinary1MiB"/>, the
    /// price of that defence: the copies made while the buffer grows.
    /// </summary>
    [Benchmark, Work(Bytes = 1024 * 1024, Frames = 1)]
    public Frame? DecodeBinary1MiBIn16KiBReads()
    {
        var decoder = new FrameDecoder(Role.Server);
        ReadOnlySpan<byte> input = binary1M;
        Frame? frame = null;
        while (!input.IsEmpty)
        {
            var read = input[..Math.Min(ReadSize, input.Length)];
            input = input[read.Length..];
            while (!read.IsEmpty)
            {
                read = read[decoder.Decode(read, out var decoded)..];
                frame ??= decoded;
            }
        }
        return frame;
    }

    /// <summary>
    /// The same 1000 text frames through a MessageAssembler: each is a whole
    /// message, so this is UTF-8 validation (step 7) plus a Message object per frame; per frame.
    /// </summary>
    [Benchmark(OperationsPerInvoke = TextFrames), Work(Bytes = 32, Frames = 1)]
    public Message? AssembleText32B()
    {
        var assembler = new MessageAssembler();
        Message? last = null;
        foreach (var frame in textFrames)
            last = assembler.Add(frame);
        return last;
    }
}
