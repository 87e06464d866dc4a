using Course.Grading;

namespace Course.Cli;

/// <summary>
/// `./course check NN`: the learner's loop. Builds lab NN from labs/, runs its
/// tests, prints the score and the first failure with its hint.
/// Exit code 0 when every test passes, 1 otherwise.
/// </summary>
public static class CheckCommand
{
    public static async Task<int> RunAsync(Repo repo, string labId)
    {
        var lab = CourseMap.FindAvailable(repo, labId);
        if (!Directory.Exists(lab.LabFolder(repo, "labs")))
            throw new CourseException($"labs/{lab.Project} does not exist: nothing to check.");
        var grade = await new Grader(repo).GradeAsync(lab, Grader.TrackProperties("labs"), message => Console.WriteLine($"… {message}"), guardHangs: false);
        new Progress(repo).Save(grade);
        Console.WriteLine();
        Console.Write(Render(lab, grade));
        return grade.Status == GradeStatus.Pass ? 0 : 1;
    }

    public static string Render(LabInfo lab, LabGrade grade)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine($"Lab {lab.Number} · {lab.Title}: {grade.Points}/{grade.Max} points");
        if (grade.Status == GradeStatus.Error && grade.Tests.Count == 0)
        {
            text.AppendLine(grade.Message);
            text.AppendLine();
            text.AppendLine($"Next: fix the build errors in labs/{lab.Project}/, then run ./course check {lab.Number} again.");
            return text.ToString();
        }
        foreach (var test in ReportFormatter.Shown(grade))
            text.AppendLine(ReportFormatter.TestLine(test));
        text.AppendLine();
        if (grade.FirstFailure is { } failure)
        {
            text.AppendLine($"First failure: {GradeCalculator.Readable(failure.Name)}");
            foreach (var line in (failure.Message ?? "").Split('\n').Take(30))
                text.AppendLine("  " + line.TrimEnd());
            if (failure.Hint is { } hint)
                text.AppendLine($"Hint: {hint}");
            if (grade.Status == GradeStatus.Error)
                text.AppendLine($"The test run itself failed: {GradeCalculator.FirstLine(grade.Message)}");
            text.AppendLine();
            text.AppendLine($"Next: fix it in labs/{lab.Project}/, then run ./course check {lab.Number} again.");
        }
        else
        {
            var next = CourseMap.Labs.SkipWhile(l => l != lab).Skip(1).FirstOrDefault();
            text.AppendLine(next is null
                ? "Every test passes. You have finished the course."
                : $"Every test passes. Next: notebooks/{next.Notebook} (Lab {next.Number} · {next.Title}).");
        }
        return text.ToString();
    }
}
