using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lab06.WebSocketServer.Benchmarks;

/// <summary>Every measurement of one server.</summary>
public sealed record ServerResult(
    string Server, string Command, EchoResult? Single, EchoResult? Many, EchoResult? Large, IdleResult? Idle, long OutputLines, List<string> Problems);

/// <summary>Where and how the numbers were taken.</summary>
public sealed record Conditions(
    string Date, string Machine, int Cores, string Cpu, string Os, string Runtime, string Track,
    double DurationSeconds, double WarmupSeconds, int Connections, int IdleConnections, bool Quick, List<string> ServerEnvironment);

/// <summary>One row of the table: a figure, both servers' values, and their ratio (Lab 06 / Kestrel). HigherIsBetter is null for a figure that only explains the others.</summary>
public sealed record Figure(string Key, string Name, string Unit, bool? HigherIsBetter, double? Lab, double? Kestrel, double? Ratio);

public sealed record Results(Conditions Conditions, List<Figure> Figures, ServerResult? Lab, ServerResult? Kestrel);

public static class Report
{
    public static Conditions Conditions(Options options, string track) => new(
        Date: DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
        Machine: Environment.MachineName,
        Cores: Environment.ProcessorCount,
        Cpu: CpuModel(),
        Os: RuntimeInformation.OSDescription,
        Runtime: RuntimeInformation.FrameworkDescription,
        Track: track,
        options.Duration, options.Warmup, options.Connections, options.Idle, options.Quick,
        [.. options.ServerEnvironment.Select(e => $"{e.Key}={e.Value}")]);

    public static List<Figure> Figures(ServerResult? lab, ServerResult? kestrel, Options options)
    {
        Figure Row(string key, string name, string unit, bool? higherIsBetter, Func<ServerResult, double?> value)
        {
            double? Of(ServerResult? r) => r is null ? null : value(r) is { } v && double.IsFinite(v) ? v : null;
            var (l, k) = (Of(lab), Of(kestrel));
            return new Figure(key, name, unit, higherIsBetter, l, k, l is { } a && k is { } b && b != 0 ? a / b : null);
        }
        return
        [
            Row("echo1", "echo, 1 connection, 32 B text", "msg/s", true, r => r.Single?.MessagesPerSecond),
            Row("echoN", $"echo, {options.Connections} connections, 32 B text", "msg/s", true, r => r.Many?.MessagesPerSecond),
            Row("echo64k", "echo, 1 connection, 64 KiB binary", "MB/s", true, r => r.Large?.MegabytesPerSecond),
            Row("cpu", $"server CPU per message ({options.Connections} connections)", "µs", false, r => r.Many?.ServerCpuMicrosPerMessage),
            Row("cores", $"server CPU used ({options.Connections} connections)", "cores", null, r => r.Many?.ServerCores),
            Row("clientCores", $"client CPU used ({options.Connections} connections)", "cores", null, r => r.Many?.ClientCores),
            Row("idleRss", $"server RSS per idle connection ({options.Idle} open)", "KiB", false, r => r.Idle?.RssKiBPerConnection),
            Row("idleAnon", $"server RssAnon per idle connection ({options.Idle} open)", "KiB", false, r => r.Idle?.AnonKiBPerConnection),
            Row("rssBefore", "server RSS before the idle connections", "MiB", null, r => r.Idle is { Before.RssKiB: >= 0 } i ? i.Before.RssKiB / 1024.0 : null),
            Row("rssIdle", $"server RSS with {options.Idle} idle connections", "MiB", null, r => r.Idle is { After.RssKiB: >= 0 } i ? i.After.RssKiB / 1024.0 : null),
        ];
    }

    /// <summary>The table as Markdown, so the same text goes to the console and to README.md.</summary>
    public static string Table(List<Figure> figures)
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | unit | Lab 06 | Kestrel | ratio Lab 06 / Kestrel |");
        text.AppendLine("|---|---|--:|--:|--:|");
        foreach (var f in figures)
        {
            var arrow = f.HigherIsBetter switch { true => " ↑", false => " ↓", null => "" };
            text.AppendLine($"| {f.Name}{arrow} | {f.Unit} | {Number(f.Lab)} | {Number(f.Kestrel)} | {(f.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "—")} |");
        }
        text.Append("↑ higher is better, ↓ lower is better; the rows without an arrow explain the others.");
        return text.ToString();
    }

    static string Number(double? value) => value switch
    {
        null => "—",
        >= 1000 => value.Value.ToString("#,0", CultureInfo.InvariantCulture),
        >= 100 => value.Value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.00", CultureInfo.InvariantCulture),
    };

    public static string Json(Results results) => JsonSerializer.Serialize(results, JsonOptions);

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A measurement that failed is NaN in memory and null in the file.
        Converters = { new FiniteOrNull() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
                return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
        }
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}

/// <summary>Writes NaN and infinities (a measurement that did not happen) as null, which JSON readers understand.</summary>
sealed class FiniteOrNull : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
            writer.WriteNumberValue(value);
        else
            writer.WriteNullValue();
    }

    public override bool HandleNull => true;
}
