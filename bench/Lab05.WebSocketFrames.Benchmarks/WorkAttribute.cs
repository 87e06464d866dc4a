namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// The work one operation of a benchmark does, for <see cref="ThroughputColumn"/>:
/// payload bytes and frames. Without <see cref="Bytes"/>, the bytes are the
/// benchmark's <c>Size</c> parameter. With <c>OperationsPerInvoke</c>,
/// describe one operation (BenchmarkDotNet divides the time by it).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class WorkAttribute : Attribute
{
    /// <summary>Payload bytes per operation; -1: the <c>Size</c> parameter.</summary>
    public long Bytes { get; set; } = -1;

    /// <summary>Frames per operation; 0: the benchmark is not about frames.</summary>
    public int Frames { get; set; }
}
