using System.Text.Json.Nodes;
using Course.Grading;
using Course.Kernel;
using Course.Notebooks;

namespace Course.Tests.Kernel;

/// <summary>
/// One engine, two front ends: every course notebook executed through the
/// kernel by Debian's `jupyter nbconvert --to notebook --execute` gives the
/// same outputs as `./course notebooks run` (ports, times and ids scrubbed),
/// and names the course kernel in its metadata.
/// </summary>
[Collection(NotebookCollection.Name)]
public class KernelNotebooksTests
{
    public static TheoryData<string> Notebooks() => CourseNotebooksTests.Notebooks();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_metadata_names_the_course_kernel_so_clients_pick_it_without_asking(string notebook)
    {
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(TestRepo.Course.Notebooks, notebook)))!["metadata"]!;
        var kernelspec = metadata["kernelspec"]?.ToJsonString();
        kernelspec.ShouldBe(KernelSpec.NotebookKernelspec().ToJsonString(),
            $"notebooks/{notebook}: metadata.kernelspec should name the course kernel (README, \"Notebooks\"); run ./course notebooks run {notebook[..2]} --write to set it");
        metadata["language_info"]?["name"]?.GetValue<string>().ShouldBe("csharp");
    }

    [SkippableTheory]
    [MemberData(nameof(Notebooks))]
    public async Task Nbconvert_through_the_kernel_gives_the_same_outputs_as_notebooks_run(string notebook)
    {
        var repo = TestRepo.Course;
        Skip.IfNot(repo.HasSolutions, "solutions/ is not in this repository: this compares runs on the solutions track.");
        JupyterDriver.SkipUnlessAvailable();
        var jupyter = File.Exists("/usr/bin/jupyter") ? "/usr/bin/jupyter" : "jupyter";

        // The runner, in this process.
        var source = Path.Combine(repo.Notebooks, notebook);
        var document = NotebookDocument.Load(source);
        var run = await NotebookRunner.RunAsync(document, "notebooks/" + notebook, new EngineOptions(repo.Notebooks) { MapPath = NotebookRunner.TrackMapping(repo, "solutions") });
        run.Failure.ShouldBeNull($"{run.Failure}");
        using var outputs = new TempFolder();
        var runnerCopy = Path.Combine(outputs.Path, "runner.ipynb");
        document.SaveAs(runnerCopy);

        // The kernel, through nbconvert (kernelspec from this test build; Track pinned to solutions).
        using var data = JupyterDriver.WriteKernelSpec();
        var nbconvert = await ProcessRunner.RunAsync("env",
            [$"JUPYTER_DATA_DIR={data.Path}", "Track=solutions", jupyter, "nbconvert", "--to", "notebook", "--execute", source,
             "--output-dir", outputs.Path, "--output", "kernel", $"--ExecutePreprocessor.kernel_name={KernelSpec.Name}", "--ExecutePreprocessor.timeout=120"],
            repo.Notebooks, TimeSpan.FromMinutes(4));
        nbconvert.ExitCode.ShouldBe(0, $"jupyter nbconvert --execute notebooks/{notebook} failed:\n{Tail(nbconvert.Output)}");

        var expected = CellOutputs(runnerCopy);
        var actual = CellOutputs(Path.Combine(outputs.Path, "kernel.ipynb"));
        actual.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
            actual[i].ShouldBe(expected[i], $"notebooks/{notebook}, code cell {i + 1}: the kernel (nbconvert) and ./course notebooks run disagree (scrubbed outputs shown)");
    }

    /// <summary>Each code cell's outputs as text: type, stream name or MIME types, content; scrubbed of what varies.</summary>
    private static List<string> CellOutputs(string path)
    {
        var cells = JsonNode.Parse(File.ReadAllText(path))!["cells"]!.AsArray();
        return cells.Where(c => c!["cell_type"]!.GetValue<string>() == "code")
            .Select(c => string.Join("\n", c!["outputs"]!.AsArray().Select(o => Varying(Describe((JsonObject)o!)))))
            .ToList();
    }

    /// <summary>
    /// What differs between two runs of the same notebook: ports, times, ids,
    /// images (a plot of measurements),
    /// file descriptors, and the sizes of partial reads (the lesson of notebook
    /// 01). Every number becomes &lt;n&gt;; the words, their order, the output
    /// types and MIME types must still agree.
    /// </summary>
    private static readonly Func<string, string> Varying = Scrub.Combine(Scrub.Default, Scrub.Pattern(@"\d+", "<n>"));

    private static string Describe(JsonObject output) => output["output_type"]!.GetValue<string>() switch
    {
        "stream" => $"stream {output["name"]}: {Text(output["text"])}",
        "error" => $"error {output["ename"]}: {output["evalue"]}",
        var type => $"{type}: " + string.Join(" | ", output["data"]!.AsObject().OrderBy(d => d.Key, StringComparer.Ordinal).Select(d => $"{d.Key} {(d.Key.StartsWith("image/", StringComparison.Ordinal) ? "<image>" : Text(d.Value))}")),
    };

    private static string Text(JsonNode? node) => node switch
    {
        JsonArray lines => string.Concat(lines.Select(l => l!.GetValue<string>())),
        JsonValue value => value.GetValue<string>(),
        _ => "",
    };

    private static string Tail(string text) => string.Join("\n", text.Split('\n').TakeLast(30));
}
