using Course.Notebooks;

namespace Course.Tests;

/// <summary>Every notebook of the course runs on the solutions track, and its outputs are stored.</summary>
[Collection(NotebookCollection.Name)]
public class CourseNotebooksTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(TestRepo.Course.Notebooks, "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_runs_top_to_bottom_on_the_solutions_track(string notebook)
    {
        var repo = TestRepo.Course;
        Skip.IfNot(repo.HasSolutions, "solutions/ is not in this repository (a student repository): notebooks run on your own labs with ./course notebooks run.");
        var document = NotebookDocument.Load(Path.Combine(repo.Notebooks, notebook));
        var run = await NotebookRunner.RunAsync(document, "notebooks/" + notebook, new EngineOptions(repo.Notebooks)
        {
            MapPath = NotebookRunner.TrackMapping(repo, "solutions"),
        });
        run.Failure.ShouldBeNull($"{run.Failure}\n{string.Join("\n", run.Failure?.Error.Traceback.Take(10) ?? [])}\nReproduce with: ./course notebooks run {notebook[..2]}");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_has_its_outputs_written(string notebook)
    {
        var document = NotebookDocument.Load(Path.Combine(TestRepo.Course.Notebooks, notebook));
        var raw = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(document.Path))!["cells"]!.AsArray();
        var notRun = document.Cells.Where(c => c.IsCode && raw[c.Index]!["execution_count"] is null).Select(c => c.Index + 1).ToList();
        notRun.ShouldBeEmpty($"notebooks/{notebook}: code cells {string.Join(", ", notRun)} have no stored outputs; run ./course notebooks run {notebook[..2]} --write");
    }
}
