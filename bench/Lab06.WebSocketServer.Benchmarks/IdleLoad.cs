using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;

namespace Lab06.WebSocketServer.Benchmarks;

/// <summary>
/// What an open connection that says nothing costs the server: N WebSockets
/// on /echo, handshake done and no traffic after it, and the server's resident
/// memory before and after they open, divided by N.
/// </summary>
public static class IdleLoad
{
    /// <summary>How long the server is left alone before each memory reading, so that allocations in flight settle.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    public static async Task<IdleResult> RunAsync(ServerProcess server, int count)
    {
        // Warm-up: the accept, handshake and close paths JIT-compiled and their
        // pools filled before the "before" reading, so the delta is the connections'.
        var warm = new ConcurrentBag<ClientWebSocket>();
        await OpenAsync(server, Math.Min(100, count), warm);
        await EchoLoad.CloseAllAsync(warm);

        await Task.Delay(Settle);
        var before = server.Memory();
        var sockets = new ConcurrentBag<ClientWebSocket>();
        var clock = Stopwatch.StartNew();
        var (failed, firstError) = await OpenAsync(server, count, sockets);
        var openSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(Settle);
        var after = server.Memory();
        var stillOpen = sockets.Count(s => s.State == WebSocketState.Open);

        var closeFailures = await EchoLoad.CloseAllAsync(sockets);
        await Task.Delay(Settle);
        var afterClose = server.Memory();

        var opened = sockets.Count;
        string? problem = null;
        if (failed > 0)
            problem = $"{failed} of {count} connections failed to open; first error: {firstError}";
        if (stillOpen < opened)
            problem += $"{(problem is null ? "" : "; ")}{opened - stillOpen} of {opened} idle connections were closed before the end (the server closed idle connections?)";
        if (closeFailures > 0)
            problem += $"{(problem is null ? "" : "; ")}{closeFailures} of {opened} closing handshakes were not answered within 5 s";
        if (server.HasExited)
            problem += " " + server.ExitDescription;
        return new IdleResult(count, opened, failed, stillOpen, openSeconds, before, after, afterClose,
            RssKiBPerConnection: opened > 0 && before.RssKiB >= 0 ? (after.RssKiB - before.RssKiB) / (double)opened : double.NaN,
            AnonKiBPerConnection: opened > 0 && before.AnonKiB >= 0 ? (after.AnonKiB - before.AnonKiB) / (double)opened : double.NaN,
            closeFailures, problem);
    }

    static async Task<(int Failed, string? FirstError)> OpenAsync(ServerProcess server, int count, ConcurrentBag<ClientWebSocket> into)
    {
        var failed = 0;
        string? firstError = null;
        // 50 handshakes at a time: well under any listen backlog, so no SYN is dropped and retried a second later.
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 50 }, async (_, _) =>
        {
            try
            {
                into.Add(await Client.ConnectAsync(server.EchoUri, TimeSpan.FromSeconds(10)));
            }
            catch (Exception e) when (e is BenchmarkException or WebSocketException or HttpRequestException or IOException)
            {
                Interlocked.Increment(ref failed);
                Interlocked.CompareExchange(ref firstError, e.InnerException is null ? e.Message : $"{e.Message} ({e.InnerException.Message})", null);
            }
        });
        return (failed, firstError);
    }
}

/// <summary>The idle-connection measurement; memory in KiB as /proc/PID/status gives it.</summary>
public sealed record IdleResult(
    int Requested, int Opened, int Failed, int StillOpen, double OpenSeconds,
    MemorySample Before, MemorySample After, MemorySample AfterClose,
    double RssKiBPerConnection, double AnonKiBPerConnection, int CloseFailures, string? Problem);
