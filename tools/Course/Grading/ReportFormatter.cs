using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Course.Grading;

/// <summary>The grading table for people, and the JSON report for machines.</summary>
public static class ReportFormatter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJson(GradeReport report) => JsonSerializer.Serialize(report, Json) + "\n";

    /// <summary>
    /// One block per lab: its points, then each graded test (✓ or ✗) and, for
    /// a failing one, its first message line; a lab that did not build shows
    /// the compiler's messages instead.
    /// </summary>
    public static string ToTable(GradeReport report)
    {
        var text = new StringBuilder();
        foreach (var lab in report.Labs)
        {
            var title = CourseMap.Find(lab.Lab).Title;
            text.AppendLine($"Lab {lab.Lab} · {title} ({report.Track})".PadRight(60) + $"{lab.Points,3}/{lab.Max,-3} {lab.Status}");
            if (lab.Status == GradeStatus.Error && lab.Tests.Count == 0)
            {
                foreach (var line in (lab.Message ?? "").Split('\n'))
                    text.AppendLine("    " + line.TrimEnd());
            }
            foreach (var test in Shown(lab))
            {
                text.AppendLine(TestLine(test));
                if (!test.Passed)
                    text.AppendLine($"            {GradeCalculator.FirstLine(test.Message)}");
            }
            text.AppendLine();
        }
        text.AppendLine($"Total: {report.Points}/{report.Max} points ({report.Track})");
        return text.ToString();
    }

    /// <summary>The tests a table lists: every graded one, and any other that failed or skipped.</summary>
    public static IEnumerable<TestGrade> Shown(LabGrade lab) => lab.Tests.Where(t => t.IsGraded || !t.Passed);

    /// <summary>"  ✓   2/2  Single echo returns the same bytes" ("-" for an ungraded test, "○" for a skipped one).</summary>
    public static string TestLine(TestGrade test) =>
        $"  {(test.Status == GradeStatus.Skip ? "○" : test.Passed ? "✓" : "✗")} {(test.IsGraded ? $"{test.Points}/{test.Max}" : "-"),5}  {GradeCalculator.Readable(test.Name)}";
}
