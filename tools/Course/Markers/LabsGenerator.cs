using System.Text;

namespace Course.Markers;

/// <summary>What <c>labs generate --check</c> found different between labs/ and what solutions/ generates.</summary>
public sealed record StaleFile(string Path, string Why);

/// <summary>
/// Writes labs/ from solutions/: every file of every solutions/LabNN.Topic/
/// project, with the solution regions removed (see <see cref="SolutionMarkers"/>).
/// labs/ is never edited by hand in the course repository.
/// </summary>
public sealed class LabsGenerator(Repo repo)
{
    /// <summary>Files that carry markers; every other file is copied byte for byte.</summary>
    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".cs", ".csproj", ".props", ".targets", ".json", ".md", ".txt", ".html", ".htm", ".js", ".css", ".xml", ".sh",
    };

    /// <summary>The starter files, keyed by their path relative to the repository (labs/...).</summary>
    public SortedDictionary<string, byte[]> Generate()
    {
        if (!repo.HasSolutions)
            throw new CourseException("solutions/ not found: labs/ is generated from solutions/, which a student repository does not have.");
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var labFolder in LabFolders(repo.Solutions))
        {
            foreach (var file in Repo.SourceFiles(labFolder))
            {
                var relative = Path.GetRelativePath(repo.Solutions, file).Replace('\\', '/');
                var bytes = File.ReadAllBytes(file);
                if (TextExtensions.Contains(Path.GetExtension(file)))
                {
                    var starter = SolutionMarkers.ToStarter(Encoding.UTF8.GetString(bytes), "solutions/" + relative);
                    if (starter is null)
                        continue;
                    bytes = Encoding.UTF8.GetBytes(starter);
                }
                result["labs/" + relative] = bytes;
            }
        }
        return result;
    }

    /// <summary>Rewrites labs/LabNN.* from solutions/; returns the files written or deleted.</summary>
    public IReadOnlyList<StaleFile> Write()
    {
        var stale = Check();
        var generated = Generate();
        foreach (var change in stale)
        {
            var full = Path.Combine(repo.Root, change.Path);
            if (generated.TryGetValue(change.Path, out var bytes))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllBytes(full, bytes);
            }
            else
            {
                File.Delete(full);
            }
        }
        return stale;
    }

    /// <summary>Every file of labs/ that differs from what solutions/ generates.</summary>
    public IReadOnlyList<StaleFile> Check()
    {
        var generated = Generate();
        var stale = new List<StaleFile>();
        var existing = new HashSet<string>(StringComparer.Ordinal);
        var generatedLabs = generated.Keys.Select(k => k.Split('/')[1]).ToHashSet(StringComparer.Ordinal);
        if (Directory.Exists(repo.Labs))
        {
            foreach (var labFolder in LabFolders(repo.Labs).Where(f => generatedLabs.Contains(Path.GetFileName(f))))
            {
                foreach (var file in Repo.SourceFiles(labFolder))
                    existing.Add(repo.Relative(file));
            }
        }
        foreach (var (path, bytes) in generated)
        {
            if (!existing.Contains(path))
                stale.Add(new(path, "missing"));
            else if (!File.ReadAllBytes(Path.Combine(repo.Root, path)).AsSpan().SequenceEqual(bytes))
                stale.Add(new(path, "differs from what solutions/ generates"));
        }
        foreach (var path in existing.Where(p => !generated.ContainsKey(p)).Order(StringComparer.Ordinal))
            stale.Add(new(path, "not generated from solutions/ (extra file)"));
        return stale;
    }

    private static IEnumerable<string> LabFolders(string root) =>
        Directory.EnumerateDirectories(root, "Lab*")
            .Where(d => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(d), @"^Lab\d\d\."))
            .Order(StringComparer.Ordinal);
}
