using Course.Grading;

namespace Course.Cli;

/// <summary>
/// `./course` and `./course status`: the course map, the learner's last score
/// on each lab (from `check`/`grade`, so it is instant), and the next step.
/// </summary>
public static class StatusCommand
{
    public static int Run(Repo repo)
    {
        Console.Write(Render(repo, new Progress(repo).Load()));
        return 0;
    }

    public static string Render(Repo repo, IReadOnlyDictionary<string, LabProgress> progress)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("Socket → WebSocket Lab");
        text.AppendLine("From a raw Socket echo to a standards-conformant WebSocket server and client, in C#.");
        text.AppendLine();
        text.AppendLine($"  {"NN",-3} {"Stage",-22} {"Your score (labs/)",-30} Notebook");
        string? next = null;
        foreach (var lab in CourseMap.Labs)
        {
            string score;
            if (!lab.IsAvailable(repo))
                score = "coming soon";
            else if (!progress.TryGetValue(lab.Number, out var p))
                score = "not checked yet";
            else
                score = $"{p.Points}/{p.Max} {(p.Status == GradeStatus.Pass ? "✓ done" : p.Status == GradeStatus.Error ? "✗ build error" : "…")}{(ChangedSince(repo, lab, p.CheckedAt) ? " (changed since)" : "")}";
            var notebook = File.Exists(lab.NotebookPath(repo)) ? $"notebooks/{lab.Notebook}" : "";
            text.AppendLine($"  {lab.Number,-3} {lab.Title,-22} {score,-30} {notebook}");
            if (next is null && lab.IsAvailable(repo) && (!progress.TryGetValue(lab.Number, out var q) || q.Status != GradeStatus.Pass))
                next = NextStep(lab, progress.GetValueOrDefault(lab.Number));
        }
        text.AppendLine();
        text.AppendLine(next ?? "Next: every available lab passes. The next labs are on their way; see README.md.");
        text.AppendLine();
        text.AppendLine("Commands: ./course check NN · ./course notebooks run NN · ./course grade · ./course --help");
        return text.ToString();
    }

    private static string NextStep(LabInfo lab, LabProgress? progress)
    {
        var work = $"labs/{lab.Project}/";
        if (progress is null)
            return $"Next: read notebooks/{lab.Notebook}, fill in the TODOs in {work}, then run ./course check {lab.Number}.";
        var failure = progress.FirstFailure is { } f ? $"\n      Last failure: {f}" : "";
        return $"Next: Lab {lab.Number} ({lab.Title}): {progress.Points}/{progress.Max} points.{failure}\n      Fix it in {work}, then run ./course check {lab.Number}.";
    }

    /// <summary>Has the learner edited the lab since it was last checked?</summary>
    private static bool ChangedSince(Repo repo, LabInfo lab, DateTimeOffset checkedAt)
    {
        var folder = lab.LabFolder(repo, "labs");
        return Directory.Exists(folder) && Repo.SourceFiles(folder)
            .Any(f => f.EndsWith(".cs", StringComparison.Ordinal) && File.GetLastWriteTimeUtc(f) > checkedAt.UtcDateTime);
    }
}
