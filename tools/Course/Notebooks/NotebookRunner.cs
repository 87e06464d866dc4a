using System.Diagnostics;

namespace Course.Notebooks;

/// <summary>Where a notebook run stopped: the cell (1-based among all cells) and its error.</summary>
public sealed record NotebookFailure(string Notebook, int CellNumber, string CellFirstLine, ErrorOutput Error)
{
    /// <summary>One line that names the notebook, the cell and the exception.</summary>
    public override string ToString() =>
        $"{Notebook}, cell {CellNumber} (\"{Shorten(CellFirstLine)}\"): {Error.EName}: {Error.EValue}";

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..57] + "...";
}

/// <summary>The outcome of running a notebook top to bottom.</summary>
public sealed record NotebookRun(string Notebook, int CodeCellsRun, TimeSpan Elapsed, NotebookFailure? Failure)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// Runs a notebook's C# cells in order on one <see cref="NotebookEngine"/>,
/// stops at the first error (as nbconvert does), and stores the outputs in
/// the document (saved only when the caller asks and the run succeeded).
/// </summary>
public static class NotebookRunner
{
    private static readonly HashSet<string> CSharpNames = new(StringComparer.OrdinalIgnoreCase) { "csharp", "c#", "C#" };

    public static async Task<NotebookRun> RunAsync(NotebookDocument document, string displayName, EngineOptions options)
    {
        var clock = Stopwatch.StartNew();
        using var engine = new NotebookEngine(options);
        var executionCount = 0;
        foreach (var cell in document.Cells.Where(c => c.IsCode))
        {
            if (!CSharpNames.Contains(cell.Language))
            {
                var error = ErrorOutput.Of("NotSupportedException", $"This cell's language is '{cell.Language}'; the course engine runs C# cells only.");
                return new NotebookRun(displayName, executionCount, clock.Elapsed, new NotebookFailure(displayName, cell.Index + 1, cell.FirstLine, error));
            }
            executionCount++;
            var result = await engine.ExecuteAsync(cell.Source, $"cell [{executionCount}]");
            document.SetOutputs(cell.Index, executionCount, result.Outputs);
            if (result.Error is { } failure)
                return new NotebookRun(displayName, executionCount, clock.Elapsed, new NotebookFailure(displayName, cell.Index + 1, cell.FirstLine, failure));
        }
        return new NotebookRun(displayName, executionCount, clock.Elapsed, null);
    }

    /// <summary>Maps a path inside labs/ onto the same path inside the track's folder.</summary>
    public static Func<string, string> TrackMapping(Repo repo, string track)
    {
        var labs = repo.Labs + Path.DirectorySeparatorChar;
        var target = repo.TrackFolder(track) + Path.DirectorySeparatorChar;
        return path => track != "labs" && path.StartsWith(labs, StringComparison.Ordinal) ? target + path[labs.Length..] : path;
    }
}
