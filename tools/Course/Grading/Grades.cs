using System.Text.Json.Serialization;

namespace Course.Grading;

/// <summary>
/// One graded (or ungraded) test method. Its shape follows Exercism's
/// results.json v3 test entries (name, status, message, output), plus points.
/// </summary>
public sealed record TestGrade(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("output")] string? Output,
    [property: JsonPropertyName("points")] int Points,
    [property: JsonPropertyName("max")] int Max,
    [property: JsonPropertyName("hint")] string? Hint)
{
    [JsonIgnore] public bool Passed => Status == GradeStatus.Pass;

    /// <summary>Failed or broke; an ungraded test that skipped (<see cref="GradeStatus.Skip"/>) is neither, and does not fail its lab.</summary>
    [JsonIgnore] public bool Failed => Status is GradeStatus.Fail or GradeStatus.Error;
    [JsonIgnore] public bool IsGraded => Max > 0;
}

/// <summary>One lab's grade: pass (every test passed), fail, or error (it did not build or run).</summary>
public sealed record LabGrade(
    [property: JsonPropertyName("lab")] string Lab,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("points")] int Points,
    [property: JsonPropertyName("max")] int Max,
    [property: JsonPropertyName("tests")] IReadOnlyList<TestGrade> Tests)
{
    /// <summary>
    /// What the learner should fix next: a failing graded test, the one whose
    /// message names the earliest lab step ("Lab 01 · step 2: ...", as starter
    /// hints do) first.
    /// </summary>
    [JsonIgnore]
    public TestGrade? FirstFailure => Tests.Where(t => t.Failed)
        .OrderByDescending(t => t.IsGraded)
        .ThenBy(t => StepOf(t.Message))
        .FirstOrDefault();

    /// <summary>
    /// One line that says where the lab stands: the first failure ("Stop frees
    /// the port: Not implemented yet: …"), or for a build error its first
    /// compiler error; null when every test passed.
    /// </summary>
    [JsonIgnore]
    public string? Headline => FirstFailure is { } failure
        ? $"{GradeCalculator.Readable(failure.Name)}: {GradeCalculator.FirstLine(failure.Message)}"
        : Status == GradeStatus.Error ? FirstErrorLine(Message) : null;

    /// <summary>"The build failed:\nfile(3,1): error CS1002: ..." → "file(3,1): error CS1002: ...".</summary>
    private static string FirstErrorLine(string? message)
    {
        var lines = (message ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        return lines.Skip(1).FirstOrDefault(l => l.Contains("error", StringComparison.Ordinal)) ?? GradeCalculator.FirstLine(message);
    }

    private static int StepOf(string? message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message ?? "", @"\bstep (\d+)");
        return match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : int.MaxValue;
    }
}

/// <summary>The whole report: one entry per lab, and the totals.</summary>
public sealed record GradeReport(
    [property: JsonPropertyName("track")] string Track,
    [property: JsonPropertyName("labs")] IReadOnlyList<LabGrade> Labs)
{
    /// <summary>Exercism's results.json version this report's shape follows.</summary>
    [JsonPropertyName("version"), JsonPropertyOrder(-4)] public int Version => 3;

    [JsonPropertyName("status"), JsonPropertyOrder(-3)]
    public string Status =>
        Labs.Any(l => l.Status == GradeStatus.Error) ? GradeStatus.Error
        : Labs.All(l => l.Status == GradeStatus.Pass) ? GradeStatus.Pass
        : GradeStatus.Fail;

    [JsonPropertyName("points"), JsonPropertyOrder(-2)] public int Points => Labs.Sum(l => l.Points);
    [JsonPropertyName("max"), JsonPropertyOrder(-1)] public int Max => Labs.Sum(l => l.Max);
}

public static class GradeStatus
{
    public const string Pass = "pass";
    public const string Fail = "fail";
    public const string Error = "error";

    /// <summary>
    /// An ungraded test that skipped on this machine (e.g. packet capture without
    /// privileges): shown with its reason, no points at stake, not a failure.
    /// A graded test that skips scores 0 and fails, so points never depend on it.
    /// </summary>
    public const string Skip = "skip";
}
