using Course.Grading;

namespace Course.Cli;

/// <summary>`./course grade [--track labs|solutions] [--lab NN] [--json FILE]`.</summary>
public static class GradeCommand
{
    public static async Task<int> RunAsync(Repo repo, string track, string? lab, string? json)
    {
        repo.RequireTrack(track);
        var labs = lab is null ? CourseMap.Available(repo).ToList() : [CourseMap.FindAvailable(repo, lab)];
        var grader = new Grader(repo);
        var progress = new Progress(repo);
        var grades = new List<LabGrade>();
        foreach (var info in labs)
        {
            var grade = await grader.GradeAsync(info, Grader.TrackProperties(track), message => Console.Error.WriteLine($"  … {message}"));
            grades.Add(grade);
            if (track == "labs")
                progress.Save(grade);
        }
        var report = new GradeReport(track, grades);
        Console.Write(ReportFormatter.ToTable(report));
        if (json is not null)
        {
            var full = Path.GetFullPath(json);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, ReportFormatter.ToJson(report));
            Console.WriteLine($"JSON report: {full}");
        }
        return 0;
    }
}
