using System.Net.WebSockets;
using System.Reflection;
using Lab06.WebSocketServer.Benchmarks;

// Lab 06's load generator (notebook 06; README.md beside this file): the lab's
// server and Kestrel, each in a process of its own, measured one after the
// other by the same ClientWebSocket client on loopback.

Options options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(Options.Usage);
        return 0;
    }
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

var track = typeof(Options).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Track06")?.Value ?? "?";
var conditions = Report.Conditions(options, track);
Console.WriteLine($"Lab 06 from {track}/ against Kestrel, {conditions.Date}, {conditions.Cores} cores ({conditions.Cpu}), {conditions.Runtime}");
Console.WriteLine($"{options.Duration} s per echo measurement after {options.Warmup} s of warm-up; {options.Connections} concurrent connections; {options.Idle} idle connections.");
Console.WriteLine("Client and server share this machine's cores: the client's own CPU use is printed with each echo figure.");

var directory = AppContext.BaseDirectory;
ServerResult? lab = null, kestrel = null;
try
{
    if (options.Only is null or "lab")
        lab = await MeasureAsync("Lab 06", Path.Combine(directory, "Lab06.WebSocketServer.dll"),
            // Room for the idle connections; a keepalive timer that never fires
            // within a run (Kestrel's default is 2 minutes) and no idle timeout
            // (Kestrel has none); no log line per connection (Kestrel's logging is off).
            ["--max-connections", Math.Max(10000, options.Idle + options.Connections + 200).ToString(),
             "--keepalive-interval", "3600", "--idle-timeout", "0", "--quiet"]);
    if (options.Only is null or "kestrel")
        kestrel = await MeasureAsync("Kestrel", Path.Combine(directory, "Lab06.KestrelEcho.dll"), []);
}
catch (BenchmarkException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

var figures = Report.Figures(lab, kestrel, options);
Console.WriteLine();
Console.WriteLine(Report.Table(figures));
var problems = new[] { lab, kestrel }.Where(r => r is not null).SelectMany(r => r!.Problems.Select(p => $"{r.Server}: {p}")).ToList();
if (problems.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("Problems:");
    foreach (var problem in problems)
        Console.WriteLine("  " + problem);
}
if (options.Json is { } json)
{
    await File.WriteAllTextAsync(json, Report.Json(new Results(conditions, figures, lab, kestrel)) + "\n");
    Console.WriteLine($"\nwrote {json}");
}
return problems.Count == 0 ? 0 : 1;

async Task<ServerResult> MeasureAsync(string name, string dll, string[] arguments)
{
    Console.WriteLine();
    Console.WriteLine($"== {name} ==");
    using var server = await ServerProcess.StartAsync(name, dll, arguments, options.ServerEnvironment, TimeSpan.FromSeconds(20));
    var problems = new List<string>();

    EchoResult? Echo(EchoResult result)
    {
        Console.WriteLine($"  {result.Label}: {result.MessagesPerSecond:#,0} msg/s, {result.MegabytesPerSecond:0.0} MB/s;" +
                          $" server {result.ServerCpuMicrosPerMessage:0.0} µs CPU/msg ({result.ServerCores:0.00} cores), client {result.ClientCores:0.00} cores");
        if (result.Problem is not null)
        {
            problems.Add($"{result.Label}: {result.Problem}");
            Console.WriteLine($"    problem: {result.Problem}");
        }
        return result;
    }

    bool Alive()
    {
        if (!server.HasExited)
            return true;
        if (!problems.Contains(server.ExitDescription))
            problems.Add(server.ExitDescription);
        return false;
    }

    // The echo measurements first, on one process...
    var single = Echo(await EchoLoad.RunAsync(server, "1 connection, 32 B text", 1, 32, WebSocketMessageType.Text, options));
    var many = Alive()
        ? Echo(await EchoLoad.RunAsync(server, $"{options.Connections} connections, 32 B text", options.Connections, 32, WebSocketMessageType.Text, options))
        : null;
    var large = Alive()
        ? Echo(await EchoLoad.RunAsync(server, "1 connection, 64 KiB binary", 1, 64 * 1024, WebSocketMessageType.Binary, options))
        : null;
    Alive();
    var echoLines = server.OutputLines;
    server.Dispose();

    // ...then the idle connections on a fresh one: a process that has just
    // echoed 64 KiB messages holds heap it has freed but not given back, and
    // new connections would fill that space without raising its RSS.
    using var fresh = await ServerProcess.StartAsync(name, dll, arguments, options.ServerEnvironment, TimeSpan.FromSeconds(20));
    var idle = await IdleLoad.RunAsync(fresh, options.Idle);
    Console.WriteLine($"  {idle.Opened} idle connections (opened in {idle.OpenSeconds:0.0} s, fresh process): VmRSS {idle.Before.RssKiB / 1024.0:0.0} → {idle.After.RssKiB / 1024.0:0.0} MiB" +
                      $" ({idle.RssKiBPerConnection:0.00} KiB/conn), RssAnon {idle.Before.AnonKiB / 1024.0:0.0} → {idle.After.AnonKiB / 1024.0:0.0} MiB" +
                      $" ({idle.AnonKiBPerConnection:0.00} KiB/conn); {idle.AfterClose.RssKiB / 1024.0:0.0} MiB after closing them");
    if (idle.Problem is not null)
    {
        problems.Add($"idle connections: {idle.Problem}");
        Console.WriteLine($"    problem: {idle.Problem}");
    }
    if (fresh.HasExited)
        problems.Add(fresh.ExitDescription);
    return new ServerResult(name, $"dotnet {Path.GetFileName(dll)} --port P {string.Join(' ', arguments)}".TrimEnd(),
        single, many, large, idle, echoLines + fresh.OutputLines, problems);
}
