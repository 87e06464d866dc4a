using System.Text.RegularExpressions;

namespace Course.Grading;

/// <summary>
/// Builds a lab's test project against a track, runs its tests, and grades
/// them. A lab that does not build is graded "error" with the compiler's
/// messages; it never stops the other labs from being graded.
/// </summary>
public sealed partial class Grader(Repo repo)
{
    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan TestTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A test that runs longer than this is killed and reported (no grading run hangs).</summary>
    public const string HangTimeout = "90s";

    /// <summary>The MSBuild properties that pick the code under test: Track, and TrackNN for one lab.</summary>
    public static IReadOnlyDictionary<string, string> TrackProperties(string track, LabInfo? onlyThisLabFrom = null, string? itsTrack = null)
    {
        var properties = new Dictionary<string, string> { ["Track"] = track };
        if (onlyThisLabFrom is not null && itsTrack is not null)
            properties["Track" + onlyThisLabFrom.Number] = itsTrack;
        return properties;
    }

    /// <param name="guardHangs">
    /// Kill a test that hangs (VSTest's blame collector) so the others still
    /// count. It costs a second or two, so the learner's `check` goes without
    /// and relies on the overall time bound.
    /// </param>
    public async Task<LabGrade> GradeAsync(LabInfo lab, IReadOnlyDictionary<string, string> properties, Action<string>? progress = null, bool guardHangs = true)
    {
        var project = lab.TestProjectPath(repo);
        var props = properties.Select(p => $"-p:{p.Key}={p.Value}").ToList();
        var suffix = string.Join("-", properties.Values.Distinct());

        progress?.Invoke($"building {repo.Relative(project)} ({Describe(properties)})");
        var build = await ProcessRunner.RunAsync("dotnet",
            ["build", project, "-nologo", "-v:q", "-clp:ErrorsOnly;NoSummary", .. props], repo.Root, BuildTimeout);
        if (build.TimedOut)
            return GradeCalculator.Error(lab, $"The build did not finish within {BuildTimeout.TotalMinutes:0} minutes.", MaxPointsFromSource(lab));
        if (build.ExitCode != 0)
            return GradeCalculator.Error(lab, CompilerMessages(build.Output), MaxPointsFromSource(lab));

        var resultsFolder = Path.Combine(repo.StateFolder, "results");
        Directory.CreateDirectory(resultsFolder);
        var trx = Path.Combine(resultsFolder, $"{lab.Project}.{suffix}.trx");
        File.Delete(trx);
        progress?.Invoke($"running {lab.TestProject}");
        string[] blame = guardHangs ? ["--blame-hang-timeout", HangTimeout, "--blame-hang-dump-type", "none"] : [];
        var test = await ProcessRunner.RunAsync("dotnet",
            ["test", project, "--no-build", "--logger", $"trx;LogFileName={trx}", "--results-directory", resultsFolder, .. blame, .. props],
            repo.Root, guardHangs ? TestTimeout : CheckTimeout);
        if (!File.Exists(trx))
        {
            var why = test.TimedOut ? "The tests did not finish in time: a test hangs (an endless loop, or a wait with no bound?)." : "The tests did not run.";
            return GradeCalculator.Error(lab, why + " Last output:\n" + Tail(test.Output, 15), MaxPointsFromSource(lab));
        }
        var run = TrxReader.Read(trx);
        var dll = run.TestAssembly is { } reported && File.Exists(reported) ? reported : ConventionalAssemblyPath(lab, properties);
        var graded = File.Exists(dll) ? GradedPoints.Read(dll) : new Dictionary<string, GradedInfo>();
        var grade = GradeCalculator.Grade(lab, run, graded);
        if (test.TimedOut || test.Output.Contains("The active test run was aborted", StringComparison.Ordinal))
            grade = grade with { Status = GradeStatus.Error, Message = "The test run was aborted (a test hung or crashed the test host). " + Tail(test.Output, 8) };
        return grade;
    }

    /// <summary>Where Directory.Build.props puts a lab's test assembly for the track it is built against.</summary>
    private string ConventionalAssemblyPath(LabInfo lab, IReadOnlyDictionary<string, string> properties)
    {
        var track = properties.GetValueOrDefault("Track" + lab.Number) ?? properties.GetValueOrDefault("Track") ?? "labs";
        return Path.Combine(repo.Tests, lab.TestProject, "bin", track, "Debug", "net10.0", lab.TestProject + ".dll");
    }

    /// <summary>
    /// When the lab does not compile there is no assembly to read the points
    /// from; the test sources still say what the lab is worth.
    /// </summary>
    public int MaxPointsFromSource(LabInfo lab)
    {
        var folder = Path.Combine(repo.Tests, lab.TestProject);
        if (!Directory.Exists(folder))
            return 0;
        return Repo.SourceFiles(folder)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal))
            .SelectMany(f => GradedInSource().Matches(File.ReadAllText(f)))
            .Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Describe(IReadOnlyDictionary<string, string> properties) =>
        string.Join(", ", properties.Select(p => $"{p.Key}={p.Value}"));

    /// <summary>The distinct "error CS…" lines of a build, with paths relative to the repository.</summary>
    public string CompilerMessages(string buildOutput)
    {
        var lines = buildOutput.Split('\n')
            .Select(l => l.Trim())
            .Where(l => ErrorLine().IsMatch(l))
            .Select(l => ProjectSuffix().Replace(l, ""))
            .Select(l => l.Replace(repo.Root + Path.DirectorySeparatorChar, ""))
            .Distinct()
            .Take(20)
            .ToList();
        return lines.Count == 0 ? "The build failed:\n" + Tail(buildOutput, 15) : "The build failed:\n" + string.Join("\n", lines);
    }

    private static string Tail(string text, int lines) =>
        string.Join("\n", text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).TakeLast(lines));

    [GeneratedRegex(@":\s*error\s+[A-Z]+\d+\s*:|\berror\s+MSB\d+|: error :")]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"\bGraded\(\s*(\d+)")]
    private static partial Regex GradedInSource();

    [GeneratedRegex(@"\s*\[[^\]]+\.csproj\]\s*$")]
    private static partial Regex ProjectSuffix();
}
