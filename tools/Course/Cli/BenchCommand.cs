using System.Diagnostics;

namespace Course.Cli;

/// <summary>
/// `./course bench NN [-- ARGS]`: runs lab NN's benchmarks
/// (bench/LabNN.Topic.Benchmarks: BenchmarkDotNet for Lab 05, a load generator
/// of its own for Lab 06) in Release, on the track the repository defaults to
/// (the learner's labs/ in a student repository). By hand only: a run takes
/// minutes and its numbers depend on the machine, so CI never runs it.
/// </summary>
public static class BenchCommand
{
    public static string ProjectPath(Repo repo, LabInfo lab) =>
        Path.Combine(repo.Root, "bench", lab.Project + ".Benchmarks", lab.Project + ".Benchmarks.csproj");

    public static async Task<int> RunAsync(Repo repo, string labId, IReadOnlyList<string> arguments)
    {
        var lab = CourseMap.Find(labId);
        var project = ProjectPath(repo, lab);
        if (!File.Exists(project))
            throw new CourseException($"Lab {lab.Number} ({lab.Title}) has no benchmarks: {repo.Relative(project)} does not exist.");

        // Without a filter BenchmarkDotNet asks which benchmark to run; run them all instead.
        // A project that is not BenchmarkDotNet's (Lab 06's load generator) takes no default.
        IReadOnlyList<string> passed = arguments.Count > 0 || !UsesBenchmarkDotNet(project) ? arguments : ["--filter", "*"];
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = repo.Root, UseShellExecute = false };
        foreach (var argument in (string[])["run", "-c", "Release", "--project", project, "--", .. passed])
            info.ArgumentList.Add(argument);
        info.Environment["DOTNET_NOLOGO"] = "1";
        Console.WriteLine($"dotnet run -c Release --project {repo.Relative(project)} -- {string.Join(' ', passed)}");
        using var process = Process.Start(info) ?? throw new CourseException("Could not start dotnet.");
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    /// <summary>Whether the project references the BenchmarkDotNet package (its runner needs a --filter).</summary>
    public static bool UsesBenchmarkDotNet(string project) =>
        File.ReadAllText(project).Contains("\"BenchmarkDotNet\"", StringComparison.Ordinal);
}
