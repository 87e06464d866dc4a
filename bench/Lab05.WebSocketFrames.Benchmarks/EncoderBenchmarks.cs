using BenchmarkDotNet.Attributes;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// Step 3: <see cref="FrameEncoder.Encode(Frame, Role)"/> of one 32-byte text
/// frame, as a server (2-byte header, no masking) and as a client (6-byte
/// header, a fresh key from the CSPRNG, masked payload). The difference is
/// what RFC 6455 §5.3's masking costs a client per small message; the two
/// benchmarks after it split that cost into masking and drawing the key.
/// </summary>
[MemoryDiagnoser]
public class EncoderBenchmarks
{
    private readonly Frame frame = Frame.Text(Samples.Text32);

    [Benchmark(Baseline = true), Work(Bytes = 32, Frames = 1)]
    public byte[] AsServer() => FrameEncoder.Encode(frame, Role.Server);

    /// <summary>What a client does: Masking.NewKey, then encode and mask.</summary>
    [Benchmark, Work(Bytes = 32, Frames = 1)]
    public byte[] AsClient() => FrameEncoder.Encode(frame, Role.Client);

    /// <summary>The client's frame with a fixed key: masking without drawing a key.</summary>
    [Benchmark, Work(Bytes = 32, Frames = 1)]
    public byte[] AsClientFixedKey() => FrameEncoder.Encode(frame, Samples.Key);

    /// <summary>One key alone. Masking.NewKey draws keys 256 at a time, so the CSPRNG's cost is shared out.</summary>
    [Benchmark]
    public uint NewKey() => Masking.NewKey();
}
