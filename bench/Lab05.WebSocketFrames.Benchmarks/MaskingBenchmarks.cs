using BenchmarkDotNet.Attributes;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// Steps 1 and 2: masking one payload in place, a byte at a time
/// (<see cref="Masking.ApplyScalar"/>) against whole vectors at a time
/// (<see cref="Masking.Apply"/>). Every byte a client sends and a server
/// receives goes through this XOR, so it bounds a WebSocket's throughput.
/// The sizes: 16 B (shorter than one vector: only the 4-byte and 1-byte
/// loops run), 125 B (the largest 7-bit length, a control frame), 1 KiB,
/// 64 KiB and 1 MiB (the default message limit). The buffer stays the same
/// between calls (masking twice unmasks), so the large sizes measure the
/// cache as much as the code.
/// </summary>
[MemoryDiagnoser]
public class MaskingBenchmarks
{
    [Params(16, 125, 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    private byte[] data = [];

    [GlobalSetup]
    public void Setup() => data = Samples.RandomBytes(Size);

    /// <summary>The RFC's loop: one XOR and one key-octet lookup per byte.</summary>
    [Benchmark(Baseline = true), Work]
    public int Scalar() => Masking.ApplyScalar(data, Samples.Key, offset: 0);

    /// <summary>Vector&lt;byte&gt; blocks, then 4-byte words, then single bytes.</summary>
    [Benchmark, Work]
    public int Vectorised() => Masking.Apply(data, Samples.Key, offset: 0);
}
