using System.Text.Json;

namespace Course.Grading;

/// <summary>A lab's last result on the learner's track, as `./course status` shows it.</summary>
public sealed record LabProgress(string Lab, string Status, int Points, int Max, string? FirstFailure, DateTimeOffset CheckedAt);

/// <summary>
/// Remembers the last `check`/`grade` result of each lab on the labs track
/// (in .course/progress.json, git-ignored), so `./course status` is instant.
/// </summary>
public sealed class Progress(Repo repo)
{
    private string FilePath => Path.Combine(repo.StateFolder, "progress.json");

    public IReadOnlyDictionary<string, LabProgress> Load()
    {
        try
        {
            return File.Exists(FilePath)
                ? JsonSerializer.Deserialize<Dictionary<string, LabProgress>>(File.ReadAllText(FilePath)) ?? []
                : new Dictionary<string, LabProgress>();
        }
        catch (JsonException)
        {
            return new Dictionary<string, LabProgress>(); // a damaged cache is only a cache
        }
    }

    public void Save(LabGrade grade)
    {
        var all = new Dictionary<string, LabProgress>(Load())
        {
            [grade.Lab] = new(grade.Lab, grade.Status, grade.Points, grade.Max, grade.Headline, DateTimeOffset.Now),
        };
        Directory.CreateDirectory(repo.StateFolder);
        File.WriteAllText(FilePath, JsonSerializer.Serialize(all, new JsonSerializerOptions { WriteIndented = true }));
    }
}
