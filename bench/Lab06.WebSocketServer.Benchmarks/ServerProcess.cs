using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Lab06.WebSocketServer.Benchmarks;

/// <summary>
/// One server under test, run as a child process (`dotnet its.dll --port P ...`)
/// so that its CPU time and memory are its own, not shared with the client's.
/// Every process started here is killed on Dispose, on Ctrl+C, SIGTERM or SIGQUIT, and at exit.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    static readonly List<ServerProcess> Running = [];

    readonly Process _process;
    readonly Queue<string> _lastLines = new();
    readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name { get; }
    public int Port { get; }
    public Uri EchoUri => new($"ws://127.0.0.1:{Port}/echo");
    public int Id => _process.Id;
    public long OutputLines { get; private set; }

    // Ctrl+C (SIGINT) reaches the children too when they share the terminal's
    // process group, but SIGTERM or SIGQUIT sent to this process alone would
    // leave them running with their ports: on any of the three, kill them
    // first, then let the signal end this process as usual.
    static readonly List<PosixSignalRegistration> Signals = OnSignals(PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT);

    static List<PosixSignalRegistration> OnSignals(params PosixSignal[] signals)
    {
        var registrations = new List<PosixSignalRegistration>();
        foreach (var signal in signals)
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
            }
            catch (PlatformNotSupportedException)
            {
                // Not every platform has every signal; exit still kills the servers.
            }
        }
        return registrations;
    }

    static ServerProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    ServerProcess(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
    }

    /// <summary>
    /// Starts `dotnet DLL --port P ARGS` on a free loopback port and returns once
    /// it has printed "listening on" and echoed a message on /echo, or throws
    /// after <paramref name="bound"/> saying which of the two never came.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string name, string dll, IEnumerable<string> arguments,
        IEnumerable<KeyValuePair<string, string>> environment, TimeSpan bound)
    {
        if (!File.Exists(dll))
            throw new BenchmarkException($"{dll} does not exist: build this project first (dotnet build -c Release bench/Lab06.WebSocketServer.Benchmarks).");
        var port = FreePort();
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in (string[])[dll, "--port", port.ToString(), .. arguments])
            info.ArgumentList.Add(argument);
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
            info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(name, process, port);
        // The lab's server logs a line per connection: the pipes are drained all
        // the time, or 5000 connections would fill them and block the server.
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data, isError: true);
        process.Exited += (_, _) => server._listening.TrySetException(new BenchmarkException(
            $"{name} exited with code {process.ExitCode} before it was ready.{server.LastOutput()}"));
        lock (Running)
        {
            process.Start();
            Running.Add(server);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var variables = string.Concat(environment.Select(e => $" {e.Key}={e.Value}"));
        Console.WriteLine($"  started {name}: pid {process.Id}, {string.Join(' ', info.ArgumentList.Skip(1))}{variables}");

        try
        {
            await server.WaitUntilReadyAsync(bound);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    async Task WaitUntilReadyAsync(TimeSpan bound)
    {
        var deadline = Stopwatch.StartNew();
        var listening = _listening.Task;
        if (await Task.WhenAny(listening, Task.Delay(bound)) != listening)
            throw new BenchmarkException($"{Name} did not print \"listening on\" within {bound.TotalSeconds:0} s.{LastOutput()}");
        await listening; // rethrows an early exit

        // "listening on" may come before the accept loop runs: it is ready once
        // a WebSocket on /echo answers a message.
        Exception? last = null;
        while (deadline.Elapsed < bound && !HasExited)
        {
            try
            {
                using var probe = await Client.ConnectAsync(EchoUri, TimeSpan.FromSeconds(2));
                var payload = "probe"u8.ToArray();
                await Client.EchoOnceAsync(probe, payload, WebSocketMessageType.Text, new byte[64]).WaitAsync(TimeSpan.FromSeconds(2));
                await Client.CloseAsync(probe, TimeSpan.FromSeconds(2));
                return;
            }
            catch (Exception e)
            {
                last = e;
                await Task.Delay(100);
            }
        }
        throw new BenchmarkException(HasExited
            ? $"{Name} exited with code {_process.ExitCode} before it echoed a message on {EchoUri}.{LastOutput()}"
            : $"{Name} printed \"listening on\" but did not echo a message on {EchoUri} within {bound.TotalSeconds:0} s (last error: {last?.Message}).{LastOutput()}");
    }

    void OnLine(string? line, bool isError)
    {
        if (line is null)
            return;
        lock (_lastLines)
        {
            OutputLines++;
            _lastLines.Enqueue(isError ? "stderr: " + line : line);
            while (_lastLines.Count > 12)
                _lastLines.Dequeue();
        }
        if (!isError && line.Contains("listening on", StringComparison.Ordinal))
            _listening.TrySetResult();
    }

    /// <summary>The last lines the server printed, for error messages.</summary>
    public string LastOutput()
    {
        lock (_lastLines)
        {
            if (_lastLines.Count == 0)
                return " It printed nothing.";
            var text = new StringBuilder(" Its last output:");
            foreach (var line in _lastLines)
                text.Append("\n      | ").Append(line);
            return text.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public string ExitDescription => HasExited ? $"{Name} exited with code {_process.ExitCode}.{LastOutput()}" : $"{Name} is running.";

    /// <summary>User + system CPU time the server has used so far (/proc/PID/stat).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public MemorySample Memory() => MemorySample.Read(_process.Id);

    bool _disposed;

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        lock (Running)
            Running.Remove(this);
        Kill();
        _process.Dispose();
    }

    void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // It was never started, or has already gone.
        }
    }

    static void KillAll()
    {
        lock (Running)
            foreach (var server in Running)
                server.Kill();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The dotnet host running this process when there is one (`dotnet run`), else the one on PATH.</summary>
    static string DotnetHost()
    {
        var path = Environment.ProcessPath;
        return path is not null && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }
}

/// <summary>A server's memory as Linux counts it, from /proc/PID/status (KiB).</summary>
/// <param name="RssKiB">VmRSS: every page resident, shared library code included.</param>
/// <param name="AnonKiB">RssAnon: the private, anonymous part (GC heap, stacks, native allocations).</param>
/// <param name="FileKiB">RssFile: mapped files (DLLs, the runtime).</param>
public sealed record MemorySample(long RssKiB, long AnonKiB, long FileKiB)
{
    public static MemorySample Read(int pid)
    {
        long rss = -1, anon = -1, file = -1;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiB(line);
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = KiB(line);
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = KiB(line);
            }
        }
        catch (IOException)
        {
            // Not Linux, or the process has gone: -1 says "not measured".
        }
        catch (UnauthorizedAccessException)
        {
        }
        return new MemorySample(rss, anon, file);
    }

    static long KiB(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}

public sealed class BenchmarkException(string message) : Exception(message);
