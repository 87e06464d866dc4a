using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

namespace Lab06.WebSocketServer.Benchmarks;

/// <summary>
/// A closed loop on each of N connections: send one message, wait for its echo,
/// send the next. The rate it reaches is one over the round trip (client,
/// kernel, server, kernel, client), so it measures latency under load as much
/// as the server's raw speed; the server's CPU time per message is the figure
/// that is the server's alone.
/// </summary>
public static class EchoLoad
{
    /// <summary>A connection that echoes nothing for this long is stalled: its socket is aborted and the run reports it.</summary>
    public static readonly TimeSpan StallBound = TimeSpan.FromSeconds(10);

    public static async Task<EchoResult> RunAsync(ServerProcess server, string label, int connections, int size, WebSocketMessageType type, Options options)
    {
        var payload = Payload(size, type);
        var sockets = new List<ClientWebSocket>(connections);
        try
        {
            for (var i = 0; i < connections; i++)
                sockets.Add(await Client.ConnectAsync(server.EchoUri, TimeSpan.FromSeconds(10)));

            var warmup = options.Warmup > 0
                ? await LoopAsync(sockets, payload, type, TimeSpan.FromSeconds(options.Warmup))
                : new LoopOutcome(0, 0, 0, null, 0);
            if (warmup.Errors > 0 || warmup.Stalled > 0)
                return EchoResult.Failed(label, connections, size, type, $"during the warm-up: {warmup.Describe(connections)}");

            var me = Process.GetCurrentProcess();
            var serverCpu = server.CpuTime;
            var clientCpu = me.TotalProcessorTime;
            var run = await LoopAsync(sockets, payload, type, TimeSpan.FromSeconds(options.Duration));
            serverCpu = server.CpuTime - serverCpu;
            me.Refresh();
            clientCpu = me.TotalProcessorTime - clientCpu;

            var closeFailures = await CloseAllAsync(sockets);
            sockets.Clear();
            return new EchoResult(
                label, connections, size, type.ToString(),
                run.Messages, run.Seconds,
                MessagesPerSecond: run.Messages / run.Seconds,
                MegabytesPerSecond: run.Messages * (double)size / run.Seconds / 1e6,
                ServerCpuSeconds: serverCpu.TotalSeconds,
                ServerCpuMicrosPerMessage: run.Messages > 0 ? serverCpu.TotalMicroseconds / run.Messages : double.NaN,
                ServerCores: serverCpu.TotalSeconds / run.Seconds,
                ClientCores: clientCpu.TotalSeconds / run.Seconds,
                run.Errors, run.Stalled, closeFailures,
                Problem: run.Errors > 0 || run.Stalled > 0 ? run.Describe(connections)
                    : closeFailures > 0 ? $"{closeFailures} of {connections} closing handshakes were not answered within 5 s"
                    : null);
        }
        catch (Exception e) when (e is BenchmarkException or WebSocketException or HttpRequestException or IOException)
        {
            return EchoResult.Failed(label, connections, size, type, $"{e.Message}{(server.HasExited ? " " + server.ExitDescription : "")}");
        }
        finally
        {
            foreach (var socket in sockets)
                socket.Abort();
        }
    }

    sealed record LoopOutcome(long Messages, double Seconds, int Errors, string? FirstError, int Stalled)
    {
        public string Describe(int connections) =>
            $"{Errors} of {connections} connections failed, {Stalled} stalled (no echo for {StallBound.TotalSeconds:0} s)"
            + $" after {Messages} messages{(FirstError is null ? "" : $"; first error: {FirstError}")}";
    }

    static async Task<LoopOutcome> LoopAsync(List<ClientWebSocket> sockets, byte[] payload, WebSocketMessageType type, TimeSpan duration)
    {
        var count = sockets.Count;
        var messages = new long[count];
        var lastEcho = new long[count]; // Stopwatch ticks of each connection's last echo, for the watchdog
        var errors = 0;
        var stalled = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();

        async Task OneConnection(int i)
        {
            var receive = new byte[payload.Length];
            try
            {
                while (clock.Elapsed < duration)
                {
                    await Client.EchoOnceAsync(sockets[i], payload, type, receive);
                    messages[i]++;
                    Volatile.Write(ref lastEcho[i], clock.ElapsedTicks);
                }
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, $"connection {i}: {e.GetType().Name}: {e.Message}", null);
            }
        }

        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(() => OneConnection(i))).ToArray();
        var all = Task.WhenAll(tasks);
        var aborted = new bool[count];
        while (await Task.WhenAny(all, Task.Delay(250)) != all)
        {
            var now = clock.ElapsedTicks;
            for (var i = 0; i < count; i++)
            {
                if (tasks[i].IsCompleted || aborted[i] || now - Volatile.Read(ref lastEcho[i]) < StallBound.TotalSeconds * Stopwatch.Frequency)
                    continue;
                aborted[i] = true;
                stalled++;
                sockets[i].Abort(); // its pending receive ends with an exception: counted as an error too
            }
        }
        var seconds = clock.Elapsed.TotalSeconds;
        return new LoopOutcome(messages.Sum(), seconds, errors - stalled, firstError, stalled);
    }

    /// <summary>Closes every socket with the closing handshake, at most 100 at a time; returns how many the server did not answer.</summary>
    public static async Task<int> CloseAllAsync(IReadOnlyCollection<ClientWebSocket> sockets)
    {
        var failures = 0;
        await Parallel.ForEachAsync(sockets, new ParallelOptions { MaxDegreeOfParallelism = 100 }, async (socket, _) =>
        {
            if (!await Client.CloseAsync(socket, TimeSpan.FromSeconds(5)))
                Interlocked.Increment(ref failures);
        });
        return failures;
    }

    static byte[] Payload(int size, WebSocketMessageType type)
    {
        if (type == WebSocketMessageType.Text)
        {
            const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            return Encoding.ASCII.GetBytes(Enumerable.Range(0, size).Select(i => alphabet[i % alphabet.Length]).ToArray());
        }
        var bytes = new byte[size];
        new Random(6455).NextBytes(bytes);
        return bytes;
    }
}

/// <summary>One echo measurement. MegabytesPerSecond counts payload bytes echoed (each crossed loopback twice), 10^6 bytes a second.</summary>
public sealed record EchoResult(
    string Label, int Connections, int MessageBytes, string MessageType,
    long Messages, double Seconds, double MessagesPerSecond, double MegabytesPerSecond,
    double ServerCpuSeconds, double ServerCpuMicrosPerMessage, double ServerCores, double ClientCores,
    int Errors, int Stalled, int CloseFailures, string? Problem)
{
    public static EchoResult Failed(string label, int connections, int size, WebSocketMessageType type, string problem) =>
        new(label, connections, size, type.ToString(), 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN,
            1, 0, 0, problem);
}
