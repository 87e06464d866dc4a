using Course.Notebooks;

namespace Course.Tests;

/// <summary>Notebooks run top to bottom; a failing cell is named; outputs are stored in nbformat's shapes.</summary>
[Collection(NotebookCollection.Name)]
public class NotebookRunnerTests
{
    private static string SamplePath(string name) => Path.Combine(TestRepo.Samples, "notebooks", name);

    private static async Task<(NotebookRun Run, NotebookDocument Document)> RunSample(string name)
    {
        var document = NotebookDocument.Load(SamplePath(name));
        var run = await NotebookRunner.RunAsync(document, "samples/" + name, new EngineOptions(TestRepo.Samples));
        return (run, document);
    }

    [Fact]
    public async Task A_failing_cell_stops_the_run_and_is_named_with_its_exception()
    {
        var (run, _) = await RunSample("sample.ipynb");
        run.Succeeded.ShouldBeFalse();
        run.CodeCellsRun.ShouldBe(3);
        run.Failure!.ToString().ShouldBe("samples/sample.ipynb, cell 5 (\"var parts = greeting.Split('l');\"): InvalidOperationException: boom after 3 parts");
    }

    [Fact]
    public async Task Outputs_are_stored_as_nbformat_outputs()
    {
        using var temp = new TempFolder();
        var copy = Path.Combine(temp.Path, "passing.ipynb");
        File.Copy(SamplePath("passing.ipynb"), copy);
        var document = NotebookDocument.Load(copy);
        (await NotebookRunner.RunAsync(document, "passing.ipynb", new EngineOptions(temp.Path))).Succeeded.ShouldBeTrue();
        document.Save();

        var saved = File.ReadAllText(copy);
        saved.ShouldMatchApproved(c => c.SubFolder("snapshots").WithFileExtension(".ipynb").NoDiff());
        NotebookDocument.Load(copy).Cells.Count.ShouldBe(3, "the saved notebook reads back");
    }

    [Fact]
    public void A_malformed_notebook_is_a_clear_error()
    {
        Should.Throw<CourseException>(() => NotebookDocument.Load(SamplePath("truncated.ipynb")))
            .Message.ShouldContain("is not valid JSON");
        Should.Throw<CourseException>(() => NotebookDocument.Load(SamplePath("missing.ipynb")))
            .Message.ShouldStartWith("Notebook not found:");
    }

    [Fact]
    public async Task A_cell_in_another_language_is_refused_by_name()
    {
        using var temp = new TempFolder();
        var path = temp.Write("fsharp.ipynb", """
            {"cells": [{"cell_type": "code", "metadata": {"polyglot_notebook": {"kernelName": "fsharp"}}, "outputs": [], "source": ["1 + 1"]}],
             "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            """);
        var run = await NotebookRunner.RunAsync(NotebookDocument.Load(path), "fsharp.ipynb", new EngineOptions(temp.Path));
        run.Failure!.Error.EValue.ShouldContain("'fsharp'");
    }
}
