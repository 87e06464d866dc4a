using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// Throughput from the mean time of one operation and its <see cref="WorkAttribute"/>:
/// MB/s (10^6 bytes a second, of payload) or frames/s. A time per operation
/// hides how far a codec is from memory speed; MB/s shows it directly.
/// </summary>
public sealed class ThroughputColumn : IColumn
{
    public static readonly ThroughputColumn Bytes = new(frames: false);
    public static readonly ThroughputColumn Frames = new(frames: true);

    private readonly bool frames;

    private ThroughputColumn(bool frames) => this.frames = frames;

    public string Id => frames ? "Throughput.Frames" : "Throughput.Bytes";
    public string ColumnName => frames ? "Frames/s" : "MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => frames ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => frames
        ? "Frames a second: 10^9 / Mean (ns) for one frame"
        : "Payload megabytes (10^6 B) a second: bytes of one operation / Mean";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => Work(c) is not null);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) =>
        GetValue(summary, benchmarkCase, summary.Style);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var work = Work(benchmarkCase);
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (work is null || meanNs is not > 0)
            return "-";
        double perSecond = 1e9 / meanNs.Value;
        if (frames)
            return work.Frames > 0 ? (work.Frames * perSecond).ToString("N0", CultureInfo.InvariantCulture) : "-";
        long bytes = work.Bytes >= 0 ? work.Bytes : SizeParameter(benchmarkCase);
        return bytes > 0 ? (bytes * perSecond / 1e6).ToString("N0", CultureInfo.InvariantCulture) : "-";
    }

    public override string ToString() => ColumnName;

    private static WorkAttribute? Work(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<WorkAttribute>();

    private static long SizeParameter(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Size")?.Value is int size ? size : -1;
}
