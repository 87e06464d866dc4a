using System.Globalization;

namespace Lab06.WebSocketServer.Benchmarks;

/// <summary>The command line (README.md, "Running").</summary>
public sealed record Options
{
    /// <summary>Seconds each echo measurement runs.</summary>
    public double Duration { get; init; } = 5;

    /// <summary>Seconds of the same load before each measurement, not counted (JIT tiering, pools, TCP windows).</summary>
    public double Warmup { get; init; } = 1;

    /// <summary>Concurrent connections of the second measurement.</summary>
    public int Connections { get; init; } = 50;

    /// <summary>Idle connections held open for the memory measurement.</summary>
    public int Idle { get; init; } = 5000;

    /// <summary>"lab", "kestrel", or null for both.</summary>
    public string? Only { get; init; }

    public string? Json { get; init; }

    public bool Quick { get; init; }

    /// <summary>Environment variables set in both servers' processes (e.g. DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ServerEnvironment { get; init; } = [];

    public const string Usage = """
        usage: Lab06.WebSocketServer.Benchmarks [options]
          --duration S      seconds per echo measurement (default 5)
          --warmup S        seconds of warm-up before each one (default 1)
          --connections N   concurrent connections of the second measurement (default 50)
          --idle N          idle connections for the memory measurement (default 5000)
          --only lab|kestrel  measure one server only
          --json FILE       also write the results as JSON
          --quick           a smoke run: 1 s measurements, 0.3 s warm-up, 500 idle connections
          --server-env NAME=VALUE  set an environment variable in both servers (repeatable), e.g.
                            DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 (no thread pool spinning)
        """;

    public static Options Parse(IReadOnlyList<string> args)
    {
        var options = new Options();
        if (args.Contains("--quick"))
            options = options with { Quick = true, Duration = 1, Warmup = 0.3, Idle = 500 };
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--duration":
                    options = options with { Duration = Positive(args[i], Value()) };
                    break;
                case "--warmup":
                    options = options with { Warmup = Positive(args[i], Value(), allowZero: true) };
                    break;
                case "--connections":
                    options = options with { Connections = (int)Positive(args[i], Value(), integer: true) };
                    break;
                case "--idle":
                    options = options with { Idle = (int)Positive(args[i], Value(), integer: true) };
                    break;
                case "--only":
                    var only = Value();
                    if (only is not ("lab" or "kestrel"))
                        throw new ArgumentException($"--only takes lab or kestrel, not '{only}'.");
                    options = options with { Only = only };
                    break;
                case "--json":
                    options = options with { Json = Value() };
                    break;
                case "--server-env":
                    var pair = Value();
                    var equals = pair.IndexOf('=');
                    if (equals <= 0)
                        throw new ArgumentException($"--server-env takes NAME=VALUE, not '{pair}'.");
                    options = options with { ServerEnvironment = [.. options.ServerEnvironment, new(pair[..equals], pair[(equals + 1)..])] };
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'.");
            }
        }
        return options;
    }

    static double Positive(string name, string text, bool allowZero = false, bool integer = false)
    {
        var ok = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                 && (allowZero ? value >= 0 : value > 0) && (!integer || value == Math.Floor(value));
        return ok ? value : throw new ArgumentException($"{name} takes a {(integer ? "whole " : "")}number{(allowZero ? "" : " above 0")}, not '{text}'.");
    }
}
