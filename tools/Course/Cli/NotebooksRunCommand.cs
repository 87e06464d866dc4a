using Course.Kernel;
using Course.Notebooks;

namespace Course.Cli;

/// <summary>`./course notebooks run [NN] [--write] [--track T]`: notebooks run headlessly.</summary>
public static class NotebooksRunCommand
{
    public static async Task<int> RunAsync(Repo repo, string? lab, bool write, string? track)
    {
        track ??= repo.DefaultTrack;
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
            {
                document.UseKernel(KernelSpec.NotebookKernelspec(), KernelSpec.NotebookLanguageInfo());
                document.Save();
            }
            Console.WriteLine($"✓ {name}: {run.CodeCellsRun} code cells ran in {run.Elapsed.TotalSeconds:0.0} s on {track}/{(write ? ", outputs written" : "")}");
        }
        return failed == 0 ? 0 : 1;
    }

    /// <summary>Builds the labs the notebooks load (#r "../labs/..."), on the track.</summary>
    private static async Task<bool> BuildReferencedLabsAsync(Repo repo, IEnumerable<NotebookDocument> documents, string track)
    {
        var builder = new LabBuilder(repo, track);
        foreach (var project in LabBuilder.ReferencedLabs(documents.SelectMany(d => d.Cells.Where(c => c.IsCode)).Select(c => c.Source)))
        {
            if (await builder.BuildAsync(project) is { } problem)
            {
                Console.WriteLine($"✗ {problem}");
                return false;
            }
        }
        return true;
    }
}
