using Course.Notebooks;

namespace Course.Tests;

/// <summary>The one engine behind `notebooks run` and the kernel: state, #r, display, console, await, errors.</summary>
[Collection(NotebookCollection.Name)]
public class NotebookEngineTests
{
    private static NotebookEngine NewEngine(TimeSpan? timeout = null) =>
        new(new EngineOptions(TestRepo.Samples) { CellTimeout = timeout ?? TimeSpan.FromSeconds(30) });

    private static string Text(CellResult result, string stream = "stdout") =>
        string.Concat(result.Outputs.OfType<StreamOutput>().Where(s => s.Name == stream).Select(s => s.Text));

    [Fact]
    public async Task State_is_kept_across_cells()
    {
        using var engine = NewEngine();
        (await engine.ExecuteAsync("var n = 20;")).Succeeded.ShouldBeTrue();
        var result = await engine.ExecuteAsync("n + 22");
        result.Outputs.ShouldHaveSingleItem().ShouldBe(new ExecuteResultOutput(new Dictionary<string, string> { ["text/plain"] = "42" }), new OutputComparer());
    }

    [Fact]
    public async Task Console_output_and_display_are_captured_in_order()
    {
        using var engine = NewEngine();
        var result = await engine.ExecuteAsync("Console.WriteLine(\"one\");\nConsole.Write(\"two\\n\");\ndisplay(new[] { 1, 2 });\nConsole.Error.WriteLine(\"oops\");");
        result.Outputs.Count.ShouldBe(3);
        Text(result).ShouldBe("one\ntwo\n");
        ((DisplayOutput)result.Outputs[1]).Data["text/plain"].ShouldBe("[1, 2]");
        Text(result, "stderr").ShouldBe("oops\n");
    }

    [Fact]
    public async Task Top_level_await_works()
    {
        using var engine = NewEngine();
        var result = await engine.ExecuteAsync("await Task.Delay(5);\nawait Task.FromResult(7)");
        ((ExecuteResultOutput)result.Outputs.ShouldHaveSingleItem()).Data["text/plain"].ShouldBe("7");
    }

    [Fact]
    public async Task A_compile_error_names_the_line_and_column_in_the_cell()
    {
        using var engine = NewEngine();
        var result = await engine.ExecuteAsync("var a = 1;\nvar b = c + 1;");
        var error = result.Error.ShouldNotBeNull();
        error.EName.ShouldBe("CompilationError");
        error.EValue.ShouldBe("(2,9): error CS0103: The name 'c' does not exist in the current context");
    }

    [Fact]
    public async Task An_exception_becomes_an_error_output_and_the_state_survives()
    {
        using var engine = NewEngine();
        await engine.ExecuteAsync("var kept = 5;");
        var error = (await engine.ExecuteAsync("throw new InvalidOperationException(\"boom\");")).Error.ShouldNotBeNull();
        (error.EName, error.EValue).ShouldBe(("InvalidOperationException", "boom"));
        error.Traceback[0].ShouldStartWith("System.InvalidOperationException: boom");
        ((ExecuteResultOutput)(await engine.ExecuteAsync("kept")).Outputs[0]).Data["text/plain"].ShouldBe("5");
    }

    [Fact]
    public async Task A_cell_that_runs_too_long_fails_with_a_timeout_instead_of_hanging()
    {
        using var engine = NewEngine(TimeSpan.FromMilliseconds(300));
        var error = (await engine.ExecuteAsync("await Task.Delay(10_000);")).Error.ShouldNotBeNull();
        error.EName.ShouldBe("TimeoutException");
        error.EValue.ShouldContain("did not finish within");
    }

    [Fact]
    public async Task Nuget_references_are_refused_with_an_explanation()
    {
        using var engine = NewEngine();
        var error = (await engine.ExecuteAsync("#r \"nuget: Newtonsoft.Json\"")).Error.ShouldNotBeNull();
        error.EValue.ShouldContain("not supported by the course engine");
    }

    [Fact]
    public async Task A_reference_into_labs_is_mapped_onto_the_track()
    {
        // A #r written against labs/ loads the same path under solutions/ (here: a real DLL, Course.Testing).
        var realDll = typeof(GradedAttribute).Assembly.Location;
        var labsPath = Path.Combine(TestRepo.Samples, "labs", "Course.Testing.dll");
        using var engine = new NotebookEngine(new EngineOptions(TestRepo.Samples)
        {
            MapPath = p => p == labsPath ? realDll : p,
        });
        var result = await engine.ExecuteAsync("#r \"labs/Course.Testing.dll\"\nnew Course.Testing.GradedAttribute(4).Points");
        result.Error.ShouldBeNull();
        ((ExecuteResultOutput)result.Outputs[0]).Data["text/plain"].ShouldBe("4");
    }

    [Fact]
    public void Track_mapping_rewrites_only_paths_inside_labs()
    {
        var repo = TestRepo.Course;
        var map = NotebookRunner.TrackMapping(repo, "solutions");
        var inLabs = Path.Combine(repo.Root, "labs", "Lab01.SocketEcho", "bin", "Lab01.SocketEcho.dll");
        map(inLabs).ShouldBe(Path.Combine(repo.Root, "solutions", "Lab01.SocketEcho", "bin", "Lab01.SocketEcho.dll"));
        map("/elsewhere/x.dll").ShouldBe("/elsewhere/x.dll");
        NotebookRunner.TrackMapping(repo, "labs")(inLabs).ShouldBe(inLabs);
    }

    private sealed class OutputComparer : IEqualityComparer<CellOutput>
    {
        public bool Equals(CellOutput? x, CellOutput? y) => x switch
        {
            ExecuteResultOutput a when y is ExecuteResultOutput b => a.Data.SequenceEqual(b.Data),
            _ => Equals(x, y),
        };

        public int GetHashCode(CellOutput obj) => 0;
    }
}

/// <summary>Notebook cells capture the process's Console: never two at once.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NotebookCollection
{
    public const string Name = "notebooks (they capture the console)";
}
