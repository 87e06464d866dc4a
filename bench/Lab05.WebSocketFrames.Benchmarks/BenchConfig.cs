using System.Reflection;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace Lab05.WebSocketFrames.Benchmarks;

/// <summary>
/// One short job for every benchmark, and the throughput columns. The
/// machines of this course have two cores: 3 warm-up and 6 measured
/// iterations in one process keep the whole suite to a few minutes, at the
/// price of wider error bars than BenchmarkDotNet's default job.
/// </summary>
public static class BenchConfig
{
    /// <summary>The folder the lab was compiled from: labs or solutions (Track05 in Directory.Build.props).</summary>
    public static string Track { get; } =
        typeof(BenchConfig).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Track05")?.Value ?? "";

    public static IConfig Create()
    {
        var job = Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(6)
            .WithId("Short");
        // The benchmark process is built anew from the project: give it the same track.
        if (Track.Length > 0)
            job = job.WithArguments([new MsBuildArgument($"/p:Track05={Track}")]);

        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .AddColumn(ThroughputColumn.Bytes, ThroughputColumn.Frames);
        // Results under bin/ (ignored by git) rather than in the working
        // directory; --artifacts PATH on the command line puts them elsewhere.
        config.ArtifactsPath = Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts");
        return config;
    }
}
