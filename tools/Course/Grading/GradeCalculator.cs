namespace Course.Grading;

/// <summary>
/// Turns a lab's test results and its [Graded] points into a <see cref="LabGrade"/>.
/// Pure: no processes, no files, so it is tested on sample results.
/// </summary>
public static class GradeCalculator
{
    public static LabGrade Grade(LabInfo lab, TestRunResults run, IReadOnlyDictionary<string, GradedInfo> graded)
    {
        var tests = new List<TestGrade>();
        var byMethod = run.Cases.GroupBy(c => c.MethodKey).ToDictionary(g => g.Key, g => g.ToList());
        var keys = byMethod.Keys.Union(graded.Keys).Order(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            var info = graded.GetValueOrDefault(key);
            var max = info?.Points ?? 0;
            var name = ShortName(key);
            if (!byMethod.TryGetValue(key, out var cases))
            {
                tests.Add(new TestGrade(name, GradeStatus.Fail, "The test did not run (the test host may have crashed or hung).", null, 0, max, info?.Hint));
                continue;
            }
            var failed = cases.FirstOrDefault(c => !c.Passed);
            if (failed is null)
            {
                tests.Add(new TestGrade(name, GradeStatus.Pass, null, Join(cases.Select(c => c.Output)), max, max, info?.Hint));
                continue;
            }
            var skipped = failed.Skipped;
            if (skipped && max == 0 && cases.All(c => c.Passed || c.Skipped))
            {
                tests.Add(new TestGrade(name, GradeStatus.Skip, "Skipped: " + (failed.Message ?? "").Trim(), failed.Output, 0, 0, info?.Hint));
                continue;
            }
            var message = skipped
                ? "Not run (skipped). " + (failed.Message ?? "")
                : Explain(failed.Message);
            if (cases.Count > 1)
                message = $"{CaseName(failed)}: {message}";
            tests.Add(new TestGrade(name, GradeStatus.Fail, message.Trim(), failed.Output, 0, max, info?.Hint));
        }
        var status = tests.Any(t => t.Failed) ? GradeStatus.Fail : GradeStatus.Pass;
        var grade = new LabGrade(lab.Number, lab.Project, status, null, tests.Sum(t => t.Points), tests.Sum(t => t.Max), tests);
        return grade.FirstFailure is { } first ? grade with { Message = $"{first.Name}: {FirstLine(first.Message)}" } : grade;
    }

    /// <summary>A lab that did not build: every graded test scores 0, the compiler's messages say why.</summary>
    public static LabGrade Error(LabInfo lab, string message, int max = 0) =>
        new(lab.Number, lab.Project, GradeStatus.Error, message, 0, max, []);

    /// <summary>"Lab01.SocketEcho.Tests.EchoTests.Single_echo" → "EchoTests.Single_echo".</summary>
    public static string ShortName(string methodKey)
    {
        var parts = methodKey.Split('.');
        return parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : methodKey;
    }

    /// <summary>"EchoTests.Single_echo_returns_the_bytes" → "Single echo returns the bytes".</summary>
    public static string Readable(string name) => name[(name.LastIndexOf('.') + 1)..].Replace('_', ' ');

    /// <summary>"Ns.Class.Method(x: 2)" → "Method(x: 2)": which case of a theory failed.</summary>
    private static string CaseName(TestCaseResult c) =>
        c.DisplayName.StartsWith(c.ClassName + ".", StringComparison.Ordinal) ? c.DisplayName[(c.ClassName.Length + 1)..] : c.DisplayName;

    public static string FirstLine(string? message) =>
        (message ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    /// <summary>A starter's NotImplementedException is a TODO, not a crash: say so.</summary>
    private static string Explain(string? message)
    {
        const string NotImplemented = "System.NotImplementedException : ";
        if (message is null)
            return "The test failed without a message.";
        var at = message.IndexOf(NotImplemented, StringComparison.Ordinal);
        if (at >= 0)
            return "Not implemented yet: " + message[(at + NotImplemented.Length)..];
        // An assertion's own type name says nothing to a learner; its message does.
        const string Assertion = "Shouldly.ShouldAssertException : ";
        return message.StartsWith(Assertion, StringComparison.Ordinal) ? message[Assertion.Length..] : message;
    }

    private static string? Join(IEnumerable<string?> outputs)
    {
        var text = string.Join("\n", outputs.Where(o => !string.IsNullOrEmpty(o)));
        return text.Length == 0 ? null : text;
    }
}
