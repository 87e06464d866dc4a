namespace Course;

/// <summary>The course repository on disk: its root and the folders the CLI works with.</summary>
public sealed class Repo
{
    public Repo(string root) => Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    public string Root { get; }
    public string Labs => Path.Combine(Root, "labs");
    public string Solutions => Path.Combine(Root, "solutions");
    public string Tests => Path.Combine(Root, "tests");
    public string Notebooks => Path.Combine(Root, "notebooks");

    /// <summary>A student repository is handed out without solutions/.</summary>
    public bool HasSolutions => Directory.Exists(Solutions);

    /// <summary>The track notebooks load when none is named: solutions/ when present (the course repository), else labs/.</summary>
    public string DefaultTrack => HasSolutions ? "solutions" : "labs";

    public string TrackFolder(string track) => Path.Combine(Root, track);

    /// <summary>Where the CLI keeps the learner's last results (git-ignored).</summary>
    public string StateFolder => Path.Combine(Root, ".course");

    public string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Fails with a one-line message when a --track names a folder this repository does not have.</summary>
    public void RequireTrack(string track)
    {
        if (!Directory.Exists(TrackFolder(track)))
            throw new CourseException($"--track {track}: {track}/ does not exist in this repository.");
    }

    private static readonly string[] BuildFolders = ["bin", "obj", "TestResults"];

    /// <summary>The files of a project folder, in a stable order, without build output (bin/, obj/) or hidden folders.</summary>
    public static IEnumerable<string> SourceFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            yield return file;
        foreach (var sub in Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(sub);
            if (BuildFolders.Contains(name) || name.StartsWith('.'))
                continue;
            foreach (var file in SourceFiles(sub))
                yield return file;
        }
    }

    /// <summary>Finds the repository that contains <paramref name="start"/>: the nearest folder with Lab.sln.</summary>
    public static Repo Find(string? start = null)
    {
        var explicitRoot = Environment.GetEnvironmentVariable("COURSE_ROOT");
        if (!string.IsNullOrEmpty(explicitRoot))
            return new Repo(explicitRoot);
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Lab.sln")))
                return new Repo(dir.FullName);
        }
        throw new CourseException("Not inside the course repository (no Lab.sln in this folder or above). Run ./course from the repository.");
    }
}
