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

    /// <summary>A cell that runs longer fails with a TimeoutException (no notebook hangs).</summary>
    public TimeSpan CellTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>The outcome of one cell: its outputs, in order, and whether it failed.</summary>
public sealed record CellResult(IReadOnlyList<CellOutput> Outputs)
{
    public ErrorOutput? Error => Outputs.OfType<ErrorOutput>().FirstOrDefault();
    public bool Succeeded => Error is null;
}

/// <summary>
/// The one engine behind <c>./course notebooks run</c> (and the course's
/// Jupyter kernel): C# cells run on Roslyn scripting, each continuing the state
/// of the previous one, with <c>#r</c>, <c>display(x)</c>, console capture and
/// top-level await.
/// </summary>
public sealed class NotebookEngine : IDisposable
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
    private bool _broken;

    public NotebookEngine(EngineOptions options)
    {
        _options = options;
        _globals = new NotebookGlobals(value => Add(new DisplayOutput(new Dictionary<string, string> { ["text/plain"] = TextFormatter.Format(value) })));
        _scriptOptions = ScriptOptions.Default
            .WithReferences(FrameworkReferences())
            .AddReferences(typeof(NotebookGlobals).Assembly)
            .WithImports(DefaultImports)
            .WithMetadataResolver(new TrackReferenceResolver(options.NotebookFolder, options.MapPath))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(options.NotebookFolder))
            .WithLanguageVersion(LanguageVersion.Latest)
            .WithEmitDebugInformation(true);
    }

    /// <summary>Called with every output as it happens (the kernel streams them).</summary>
    public event Action<CellOutput>? OutputProduced;

    /// <summary>Runs one cell after the previous ones; never throws for the cell's own errors.</summary>
    public async Task<CellResult> ExecuteAsync(string code)
    {
        var outputs = new List<CellOutput>();
        lock (_gate)
            _current = outputs;
        _console.RouteTo(Add);

        if (_broken)
        {
            Add(new ErrorOutput("InvalidOperationException", "An earlier cell did not finish in time; its state is unknown. Restart the notebook.", []));
            return Snapshot(outputs);
        }

        var source = StripMagics(code);
        if (source.Contains("#r \"nuget:", StringComparison.OrdinalIgnoreCase))
        {
            Add(new ErrorOutput("NotSupportedException", "#r \"nuget:...\" is not supported by the course engine: reference a lab's DLL with #r \"../labs/...\" instead.", []));
            return Snapshot(outputs);
        }

        try
        {
            var run = _state is null
                ? CSharpScript.RunAsync(source, _scriptOptions, _globals, typeof(NotebookGlobals))
                : _state.ContinueWithAsync(source, _scriptOptions);
            var finished = await Task.WhenAny(run, Task.Delay(_options.CellTimeout));
            if (finished != run)
            {
                _broken = true;
                _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe a late failure
                Add(new ErrorOutput("TimeoutException", $"The cell did not finish within {_options.CellTimeout.TotalSeconds:0} s.", []));
                return Snapshot(outputs);
            }
            _state = await run;
            if (_state.ReturnValue is { } value && !IsVoidLike(value))
                Add(new ExecuteResultOutput(new Dictionary<string, string> { ["text/plain"] = TextFormatter.Format(value) }));
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
        return Snapshot(outputs);
    }

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

    private static ErrorOutput FromException(Exception e)
    {
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate)
            e = aggregate.InnerExceptions[0];
        var traceback = e.ToString().Split('\n').Select(l => l.TrimEnd('\r'))
            .Where(l => !l.Contains("Microsoft.CodeAnalysis.Scripting", StringComparison.Ordinal))
            .ToList();
        return new ErrorOutput(e.GetType().Name, e.Message, traceback);
    }

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
