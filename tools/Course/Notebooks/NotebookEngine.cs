using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Course.Notebooks;

/// <summary>How the engine runs cells: where the notebook is, which track, how long a cell may take.</summary>
public sealed record EngineOptions(string NotebookFolder)
{
    /// <summary>Maps an absolute path (of a #r) to the one to load; identity by default.</summary>
    public Func<string, string> MapPath { get; init; } = static p => p;

    /// <summary>A cell that runs longer is interrupted and fails (no notebook hangs); infinite in the kernel.</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an interrupted cell may take to stop by itself before the engine abandons it.</summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>The outcome of one cell: its outputs, in order, and whether it failed.</summary>
public sealed record CellResult(IReadOnlyList<CellOutput> Outputs)
{
    public ErrorOutput? Error => Outputs.OfType<ErrorOutput>().FirstOrDefault();
    public bool Succeeded => Error is null;
}

/// <summary>
/// The one engine behind <c>./course notebooks run</c> and the course's
/// Jupyter kernel: C# cells run on Roslyn scripting, each continuing the state
/// of the previous one, with <c>#r</c>, <c>display(x)</c>, console capture and
/// top-level await. A running cell can be interrupted; the state is then the
/// one before that cell.
/// </summary>
public sealed partial class NotebookEngine : IDisposable
{
    /// <summary>Namespaces every cell can use without a using directive.</summary>
    public static readonly string[] DefaultImports =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net", "System.Net.Sockets",
        "System.Text", "System.Threading", "System.Threading.Tasks", "System.Diagnostics",
    ];

    private readonly EngineOptions _options;
    private readonly ScriptOptions _scriptOptions;
    private readonly NotebookGlobals _globals;
    private readonly ConsoleCapture _console = new();
    private readonly object _gate = new();
    private List<CellOutput> _current = [];
    private ScriptState<object>? _state;
    private RunningCell? _running;

    public NotebookEngine(EngineOptions options)
    {
        _options = options;
        _globals = new NotebookGlobals(value => Add(new DisplayOutput(MimeFormatter.Format(value))));
        _scriptOptions = ScriptOptions.Default
            .WithReferences(FrameworkReferences())
            .AddReferences(typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports)
            .WithMetadataResolver(new TrackReferenceResolver(options.NotebookFolder, options.MapPath))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(options.NotebookFolder))
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true)
            .WithFileEncoding(System.Text.Encoding.UTF8); // debug information (cell lines in stack traces) needs an encoding
    }

    /// <summary>Called with every output as it happens (the kernel streams them).</summary>
    public event Action<CellOutput>? OutputProduced;

    /// <summary>
    /// Runs one cell after the previous ones; never throws for the cell's own
    /// errors. <paramref name="cellName"/> (e.g. "cell [3]") names the cell in
    /// stack traces, so a traceback points at the cell's line;
    /// <paramref name="interrupt"/> interrupts this cell, even if it is signalled before the cell starts.
    /// </summary>
    public async Task<CellResult> ExecuteAsync(string code, string cellName = "cell", CancellationToken interrupt = default)
    {
        var outputs = new List<CellOutput>();
        lock (_gate)
            _current = outputs;
        _console.RouteTo(Add);

        var source = StripMagics(code);
        if (source.Contains("#r \"nuget:", StringComparison.OrdinalIgnoreCase))
        {
            Add(ErrorOutput.Of("NotSupportedException", "#r \"nuget:...\" is not supported by the course engine: reference a lab's DLL with #r \"../labs/...\" instead."));
            return Snapshot(outputs);
        }

        if (interrupt.IsCancellationRequested)
        {
            Add(ErrorOutput.Of("Interrupted", "The cell was interrupted before it ran. The state is the one before this cell."));
            return Snapshot(outputs);
        }

        var cell = new RunningCell();
        lock (_gate)
            _running = cell;
        _globals.CellCancellation = cell.Cancellation.Token;
        try
        {
            var options = _scriptOptions.WithFilePath(cellName);
            var previous = _state;
            var run = cell.Start(() => previous is null
                ? CSharpScript.RunAsync(source, options, _globals, typeof(NotebookGlobals))
                : previous.ContinueWithAsync(source, options));
            using var timeout = new CancellationTokenSource(_options.CellTimeout); // InfiniteTimeSpan: never
            using var onTimeout = timeout.Token.Register(() => cell.Interrupt($"The cell did not finish within {_options.CellTimeout.TotalSeconds:0} s, so it was interrupted."));
            using var onInterrupt = interrupt.Register(() => cell.Interrupt("The cell was interrupted."));
            await Task.WhenAny(run, cell.Interrupted);
            if (cell.Reason is { } reason)
            {
                // Asked to stop: the cell's CellCancellation is signalled and its thread, if
                // blocked in a wait, interrupted. Give it a moment to stop, then abandon it.
                await Task.WhenAny(run, Task.Delay(_options.InterruptGrace));
                _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe a late failure
                var stillRunning = run.IsCompleted ? "" : " It did not stop by itself and was abandoned: code it started may still be running.";
                Add(ErrorOutput.Of("Interrupted", reason + stillRunning + " The state is the one before this cell."));
                return Snapshot(outputs);
            }
            _state = await run;
            if (_state.ReturnValue is { } value && !IsVoidLike(value))
                Add(new ExecuteResultOutput(MimeFormatter.Format(value)));
        }
        catch (CompilationErrorException e)
        {
            var lines = e.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(FormatDiagnostic).ToList();
            Add(new ErrorOutput("CompilationError", lines.FirstOrDefault() ?? e.Message, lines));
        }
        catch (Exception e)
        {
            Add(FromException(e));
        }
        finally
        {
            lock (_gate)
                _running = null;
        }
        return Snapshot(outputs);
    }

    /// <summary>Interrupts the running cell, if any (the kernel's interrupt; safe from any thread).</summary>
    public bool Interrupt()
    {
        RunningCell? running;
        lock (_gate)
            running = _running;
        return running?.Interrupt("The cell was interrupted.") ?? false;
    }

    /// <summary>
    /// The script a cell would be, continuing the state so far, compiled but
    /// not run: what completion, inspection and is_complete look at.
    /// </summary>
    internal Script<object> Prepare(string code) =>
        _state is null
            ? CSharpScript.Create(StripMagics(code), _scriptOptions, typeof(NotebookGlobals))
            : _state.Script.ContinueWith(StripMagics(code), _scriptOptions);

    private CellResult Snapshot(List<CellOutput> outputs)
    {
        lock (_gate)
            return new CellResult(outputs.ToList());
    }

    private void Add(CellOutput output)
    {
        lock (_gate)
        {
            // Consecutive writes to one stream become one output, as Jupyter shows them.
            if (output is StreamOutput s && _current.Count > 0 && _current[^1] is StreamOutput last && last.Name == s.Name)
                _current[^1] = last with { Text = last.Text + s.Text };
            else
                _current.Add(output);
        }
        OutputProduced?.Invoke(output);
    }

    private static bool IsVoidLike(object value) => value is Task or ValueTask;

    /// <summary>
    /// The exception as Jupyter shows it: its type and message, then the stack
    /// frames without the scripting and async machinery, each cell frame as
    /// "at F() in cell [3]:line 2", so the learner sees where it failed.
    /// </summary>
    private ErrorOutput FromException(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            e = aggregate.InnerExceptions[0];
        var folder = _options.NotebookFolder.TrimEnd('/', '\\') + Path.DirectorySeparatorChar;
        var traceback = e.ToString().Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => !IsMachinery(l))
            .Select(l => CellFrame().Replace(l.Replace(folder, "", StringComparison.Ordinal), "${1}").Replace("<<Initialize>>d__0.MoveNext()", "<cell>", StringComparison.Ordinal))
            .ToList();
        return new ErrorOutput(e.GetType().Name, e.Message, traceback);
    }

    /// <summary>"Submission#3." before a cell's frames: Roslyn's name for the cell's class.</summary>
    [GeneratedRegex(@"(\bat )Submission#\d+\.")]
    private static partial Regex CellFrame();

    private static bool IsMachinery(string line) =>
        line.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal)
        || line.Contains("System.Runtime.CompilerServices.", StringComparison.Ordinal)
        || line.Contains("System.Runtime.ExceptionServices.", StringComparison.Ordinal)
        || line.Contains("--- End of stack trace from previous location ---", StringComparison.Ordinal)
        || line.Contains("Course.Notebooks.", StringComparison.Ordinal);

    /// <summary>"(3,5): error CS0103: The name 'x' does not exist": line and column within the cell.</summary>
    private static string FormatDiagnostic(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        var where = d.Location.IsInSource ? $"({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): " : "";
        return $"{where}error {d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    /// <summary>Polyglot Notebooks' "#!csharp" lines say the cell's language; blank them, keeping line numbers.</summary>
    private static string StripMagics(string code) =>
        string.Join('\n', code.Split('\n').Select(l => l.TrimStart().StartsWith("#!", StringComparison.Ordinal) ? "" : l));

    /// <summary>Every assembly of the shared framework, so cells can use any System.* API.</summary>
    private static IEnumerable<MetadataReference> FrameworkReferences()
    {
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var dll in Directory.EnumerateFiles(runtime, "*.dll").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(dll);
            if (name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal) || name is "netstandard" or "mscorlib")
            {
                if (name.StartsWith("System.Private.", StringComparison.Ordinal) && name != "System.Private.CoreLib")
                    continue;
                yield return MetadataReference.CreateFromFile(dll);
            }
        }
    }

    public void Dispose() => _console.Dispose();
}
