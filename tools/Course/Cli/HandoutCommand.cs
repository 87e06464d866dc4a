using Course.Grading;

namespace Course.Cli;

/// <summary>
/// `./course handout DIR`: a student repository. It holds everything the
/// course repository tracks in git except solutions/, the course machinery's
/// own tests (tests/Course.Tests) and the course's CI (.ci/), and a Lab.sln
/// without those projects. In it, tests default to the labs/ track.
/// </summary>
public static class HandoutCommand
{
    /// <summary>Paths (relative, '/'-separated) that a student repository leaves out.</summary>
    public static bool IsLeftOut(string path) =>
        path.StartsWith("solutions/", StringComparison.Ordinal)
        || path.StartsWith("tests/Course.Tests/", StringComparison.Ordinal)
        || path.StartsWith(".ci/", StringComparison.Ordinal);

    public static async Task<int> RunAsync(Repo repo, string target)
    {
        var destination = Path.GetFullPath(target);
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            throw new CourseException($"{target} is not empty: give a new or empty folder.");
        if (destination.StartsWith(repo.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new CourseException($"{target} is inside the course repository: give a folder outside it.");

        var files = await ProcessRunner.RunAsync("git", ["ls-files", "-z"], repo.Root, TimeSpan.FromMinutes(1));
        if (files.ExitCode != 0)
            throw new CourseException("handout copies the files git tracks, and git ls-files failed here: " + GradeCalculator.FirstLine(files.Output));
        var copied = 0;
        foreach (var path in files.Output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim('\n', '\r')).Where(p => p.Length > 0))
        {
            if (IsLeftOut(path) || !File.Exists(Path.Combine(repo.Root, path)))
                continue;
            var to = Path.Combine(destination, path);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(Path.Combine(repo.Root, path), to);
            copied++;
        }

        // Lab.sln must not name projects the handout does not have.
        var removed = new List<string>();
        foreach (var project in Directory.EnumerateFiles(repo.Root, "*.csproj", SearchOption.AllDirectories)
                     .Select(repo.Relative).Where(IsLeftOut).Order(StringComparer.Ordinal))
            removed.Add(project);
        if (removed.Count > 0)
        {
            var sln = await ProcessRunner.RunAsync("dotnet", ["sln", Path.Combine(destination, "Lab.sln"), "remove", .. removed], destination, TimeSpan.FromMinutes(1));
            if (sln.ExitCode != 0)
                throw new CourseException("dotnet sln remove failed: " + GradeCalculator.FirstLine(sln.Output));
        }
        Console.WriteLine($"Wrote a student repository to {destination}: {copied} files, without solutions/, tests/Course.Tests/ and .ci/.");
        Console.WriteLine("In it, `dotnet test Lab.sln` and `./course check NN` test the student's labs/. Initialise it with git init, then push it as the assignment template.");
        return 0;
    }
}
