using System.Text.RegularExpressions;
using Course.Grading;
using Course.Notebooks;

namespace Course.Cli;

/// <summary>`./course notebooks run [NN] [--write] [--track T]`: notebooks run headlessly.</summary>
public static partial class NotebooksRunCommand
{
    public static async Task<int> RunAsync(Repo repo, string? lab, bool write, string? track)
    {
        track ??= repo.HasSolutions ? "solutions" : "labs";
        repo.RequireTrack(track);
        var notebooks = lab is null
            ? Directory.EnumerateFiles(repo.Notebooks, "*.ipynb").Order(StringComparer.Ordinal).ToList()
            : [CourseMap.Find(lab).NotebookPath(repo)];
        if (notebooks.Count == 0)
            throw new CourseException("No notebooks found in notebooks/.");
        foreach (var path in notebooks.Where(p => !File.Exists(p)))
            throw new CourseException($"Notebook not found: {repo.Relative(path)}");

        var documents = notebooks.Select(NotebookDocument.Load).ToList();
        if (!await BuildReferencedLabsAsync(repo, documents, track))
            return 1;

        var failed = 0;
        foreach (var document in documents)
        {
            var name = repo.Relative(document.Path);
            var run = await NotebookRunner.RunAsync(document, name, new EngineOptions(Path.GetDirectoryName(document.Path)!)
            {
                MapPath = NotebookRunner.TrackMapping(repo, track),
            });
            if (run.Failure is { } failure)
            {
                failed++;
                Console.WriteLine($"✗ {failure}");
                foreach (var line in failure.Error.Traceback.Take(12))
                    Console.WriteLine("    " + line);
                if (write)
                    Console.WriteLine($"  (outputs not written: {name} failed)");
                continue;
            }
            if (write)
                document.Save();
            Console.WriteLine($"✓ {name}: {run.CodeCellsRun} code cells ran in {run.Elapsed.TotalSeconds:0.0} s on {track}/{(write ? ", outputs written" : "")}");
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// A notebook loads a lab's DLL (#r "../labs/LabNN.Topic/bin/..."); build those
    /// labs on the track first, so the DLL is there and current.
    /// </summary>
    private static async Task<bool> BuildReferencedLabsAsync(Repo repo, IEnumerable<NotebookDocument> documents, string track)
    {
        var projects = documents
            .SelectMany(d => d.Cells.Where(c => c.IsCode))
            .SelectMany(c => LabReference().Matches(c.Source))
            .Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var project in projects)
        {
            var csproj = Path.Combine(repo.TrackFolder(track), project, project + ".csproj");
            if (!File.Exists(csproj))
                throw new CourseException($"A notebook references labs/{project}, but {repo.Relative(csproj)} does not exist.");
            var build = await ProcessRunner.RunAsync("dotnet", ["build", csproj, "-nologo", "-v:q", "-clp:ErrorsOnly;NoSummary"], repo.Root, Grader.BuildTimeout);
            if (build.ExitCode != 0)
            {
                Console.WriteLine($"✗ {repo.Relative(csproj)} does not build, so the notebooks cannot load it:");
                Console.WriteLine(new Grader(repo).CompilerMessages(build.Output));
                return false;
            }
        }
        return true;
    }

    [GeneratedRegex(@"#r\s+""[^""]*labs/(Lab\d\d\.[A-Za-z0-9]+)/")]
    private static partial Regex LabReference();
}
