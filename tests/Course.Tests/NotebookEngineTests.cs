using Course.Notebooks;

namespace Course.Tests;

/// <summary>The one engine behind `notebooks run` and the kernel: state, #r, display, console, await, errors.</summary>
[Collection(NotebookCollection.Name)]
public class NotebookEngineTests
{
    private static NotebookEngine NewEngine() =>
        new(new EngineOptions(TestRepo.Samples) { CellTimeout = TimeSpan.FromSeconds(30) });

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
    public async Task A_cell_that_runs_too_long_is_interrupted_instead_of_hanging_and_the_state_survives()
    {
        // The bound covers compiling each cell too, which can take a second on a busy machine.
        using var engine = new NotebookEngine(new EngineOptions(TestRepo.Samples) { CellTimeout = TimeSpan.FromSeconds(3), InterruptGrace = TimeSpan.FromMilliseconds(200) });
        await engine.ExecuteAsync("var kept = 3;");
        var error = (await engine.ExecuteAsync("await Task.Delay(Timeout.Infinite);")).Error.ShouldNotBeNull();
        error.EName.ShouldBe("Interrupted");
        error.EValue.ShouldContain("did not finish within");
        ((ExecuteResultOutput)(await engine.ExecuteAsync("kept")).Outputs[0]).Data["text/plain"].ShouldBe("3");
    }

    [Fact]
    public async Task Interrupt_stops_a_cell_awaiting_forever_and_the_next_cell_runs_with_the_state()
    {
        using var engine = NewEngine();
        await engine.ExecuteAsync("var kept = 4;");
        var running = await StartAndWaitFor(engine, "Console.WriteLine(\"waiting\");\nawait Task.Delay(Timeout.Infinite);", "waiting\n");
        engine.Interrupt().ShouldBeTrue();
        var error = (await running.Within(5.Seconds(), "the interrupted cell's result")).Error.ShouldNotBeNull();
        error.EName.ShouldBe("Interrupted");
        error.EValue.ShouldContain("abandoned"); // Task.Delay without a token cannot stop by itself
        ((ExecuteResultOutput)(await engine.ExecuteAsync("kept * 10")).Outputs[0]).Data["text/plain"].ShouldBe("40");
    }

    [Fact]
    public async Task Interrupt_signals_CellCancellation_so_a_cooperative_cell_stops_by_itself()
    {
        using var engine = NewEngine();
        var running = await StartAndWaitFor(engine, "Console.WriteLine(\"waiting\");\nawait Task.Delay(Timeout.Infinite, CellCancellation);", "waiting\n");
        engine.Interrupt().ShouldBeTrue();
        var error = (await running.Within(5.Seconds(), "the interrupted cell's result")).Error.ShouldNotBeNull();
        error.EName.ShouldBe("Interrupted");
        error.EValue.ShouldNotContain("abandoned");
    }

    [Fact]
    public async Task Interrupt_wakes_a_cell_blocked_in_a_synchronous_wait()
    {
        using var engine = NewEngine();
        var running = await StartAndWaitFor(engine, "Console.WriteLine(\"sleeping\");\nThread.Sleep(Timeout.Infinite);", "sleeping\n");
        engine.Interrupt().ShouldBeTrue();
        var error = (await running.Within(5.Seconds(), "the interrupted cell's result")).Error.ShouldNotBeNull();
        error.EValue.ShouldNotContain("abandoned");
        engine.Interrupt().ShouldBeFalse("no cell is running any more");
    }

    [Fact]
    public async Task A_cell_interrupted_before_it_starts_does_not_run()
    {
        using var engine = NewEngine();
        var result = await engine.ExecuteAsync("Console.WriteLine(\"ran\");", "cell", new CancellationToken(canceled: true));
        result.Error.ShouldNotBeNull().EValue.ShouldStartWith("The cell was interrupted before it ran.");
        result.Outputs.OfType<StreamOutput>().ShouldBeEmpty();
    }

    /// <summary>Starts a cell and waits (bounded) until it printed <paramref name="line"/>: it is running, past its start.</summary>
    private static async Task<Task<CellResult>> StartAndWaitFor(NotebookEngine engine, string code, string line)
    {
        var printed = new TaskCompletionSource();
        engine.OutputProduced += o => { if (o is StreamOutput s && s.Text == line) printed.TrySetResult(); };
        var running = engine.ExecuteAsync(code);
        await printed.Task.Within(5.Seconds(), $"the cell to print {line.Trim()} (then it waits)");
        return running;
    }

    [Fact]
    public async Task An_exception_traceback_names_the_cell_and_line()
    {
        using var engine = NewEngine();
        var error = (await engine.ExecuteAsync("var x = 1;\nthrow new InvalidOperationException(\"here\");", "cell [7]")).Error.ShouldNotBeNull();
        error.Traceback.ShouldContain(l => l.Contains("in cell [7]:line 2"), string.Join("\n", error.Traceback));
        error.Traceback.ShouldNotContain(l => l.Contains("System.Runtime.CompilerServices"));
    }

    [Fact]
    public async Task HTML_and_PNG_values_are_displayed_with_their_mime_types_and_a_plain_text_fallback()
    {
        using var engine = NewEngine();
        var png = Convert.ToBase64String(TinyPng);
        var result = await engine.ExecuteAsync($"display(HTML(\"<b>hi</b>\"));\nPNG(Convert.FromBase64String(\"{png}\"))");
        result.Error.ShouldBeNull();
        var html = ((DisplayOutput)result.Outputs[0]).Data;
        (html["text/html"], html["text/plain"]).ShouldBe(("<b>hi</b>", "<b>hi</b>"));
        var image = ((ExecuteResultOutput)result.Outputs[1]).Data;
        (image["image/png"], image["text/plain"]).ShouldBe((png, "PNG image, 1×1 pixels"));
    }

    [Fact]
    public async Task PNG_refuses_bytes_that_are_not_a_png()
    {
        using var engine = NewEngine();
        var error = (await engine.ExecuteAsync("PNG(new byte[] { 1, 2, 3 })")).Error.ShouldNotBeNull();
        (error.EName, error.EValue).ShouldBe(("ArgumentException", "PNG(bytes) needs the bytes of a PNG file; these 3 bytes do not start with the PNG signature and IHDR chunk. (Parameter 'bytes')"));
    }

    /// <summary>A 1×1 PNG: signature, IHDR, IDAT, IEND.</summary>
    private static readonly byte[] TinyPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

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
