using System.Net;

namespace Course.Testing;

/// <summary>
/// A test fixture around a lab's server: starts it on 127.0.0.1 port 0, knows
/// its real endpoint, records its log, and stops it on <see cref="DisposeAsync"/>,
/// every step bounded.
/// </summary>
/// <typeparam name="TServer">The lab's server type (an echo server, an HTTP server, a WebSocket server).</typeparam>
/// <example>
/// <code>
/// await using var server = await LoopbackServer.StartAsync(
///     "the echo server",
///     (endpoint, log) => { var s = new EchoServer(endpoint); s.Log += log.Add; return s; },
///     start: s => { s.Start(); return Task.CompletedTask; },
///     endpointOf: s => s.LocalEndPoint,
///     stop: s => s.StopAsync());
/// using var client = await Loopback.ConnectAsync(server.EndPoint);
/// </code>
/// </example>
public sealed class LoopbackServer<TServer> : IAsyncDisposable where TServer : class
{
    private readonly Func<TServer, Task> _stop;
    private readonly TimeSpan _bound;
    private Task? _stopping;

    internal LoopbackServer(string name, TServer server, IPEndPoint endPoint, LineLog log, Func<TServer, Task> stop, TimeSpan bound)
    {
        Name = name;
        Server = server;
        EndPoint = endPoint;
        Log = log;
        _stop = stop;
        _bound = bound;
    }

    /// <summary>How messages name the server: "the echo server".</summary>
    public string Name { get; }

    /// <summary>The server itself.</summary>
    public TServer Server { get; }

    /// <summary>Where it listens: 127.0.0.1 and the port the OS picked.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The server's log lines, if the create function hooked them up.</summary>
    public LineLog Log { get; }

    /// <summary>The log, ready to append to a failure message: <c>task.Within(bound, what, server.Story)</c>.</summary>
    public string Story() => Log.Describe();

    /// <summary>
    /// Stops the server within the bound (once; later calls wait for the same stop).
    /// </summary>
    /// <remarks>
    /// A stop that throws <see cref="NotImplementedException"/> is ignored here:
    /// in a starter whose Stop step is not written yet, the tests about the other
    /// steps must report their own outcome, not "Stop is not implemented". The
    /// tests of stopping call the server's stop method themselves.
    /// </remarks>
    /// <exception cref="TimeoutException">The server did not stop within the bound; the message names it and shows its log.</exception>
    public async ValueTask DisposeAsync()
    {
        _stopping ??= StopOnceAsync();
        await _stopping.ConfigureAwait(false);
    }

    private async Task StopOnceAsync()
    {
        try
        {
            await Task.Run(() => _stop(Server)).Within(_bound, $"{Name} to stop", Story).ConfigureAwait(false);
        }
        catch (NotImplementedException)
        {
            // See the remarks on DisposeAsync.
        }
    }
}

/// <summary>Starts a <see cref="LoopbackServer{TServer}"/>.</summary>
public static class LoopbackServer
{
    /// <summary>
    /// Creates the server for 127.0.0.1:0, starts it, and reads back its real endpoint, all within the bound.
    /// If starting fails, the server is stopped (errors of that stop are dropped) and the start error is thrown.
    /// </summary>
    /// <param name="name">How messages name it: "the echo server".</param>
    /// <param name="create">Makes the server for the given endpoint; hook its log to the given <see cref="LineLog"/>.</param>
    /// <param name="start">Starts it (may be synchronous: it runs on the thread pool, so a hang is still bounded).</param>
    /// <param name="endpointOf">Reads the real endpoint after start.</param>
    /// <param name="stop">Stops it; used by DisposeAsync.</param>
    /// <param name="bound">Bound for start and for stop; default 5 s.</param>
    public static async Task<LoopbackServer<TServer>> StartAsync<TServer>(
        string name,
        Func<IPEndPoint, LineLog, TServer> create,
        Func<TServer, Task> start,
        Func<TServer, IPEndPoint> endpointOf,
        Func<TServer, Task> stop,
        TimeSpan? bound = null) where TServer : class
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(endpointOf);
        ArgumentNullException.ThrowIfNull(stop);
        var limit = bound ?? Loopback.DefaultBound;
        var log = new LineLog($"{name}'s log");
        var server = create(Loopback.AnyPort(), log);
        try
        {
            await Task.Run(() => start(server)).Within(limit, $"{name} to start", () => log.Describe()).ConfigureAwait(false);
            var endpoint = endpointOf(server);
            return new LoopbackServer<TServer>(name, server, endpoint, log, stop, limit);
        }
        catch
        {
            try
            {
                await Task.Run(() => stop(server)).Within(limit, $"{name} to stop after a failed start").ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The start error is the one that explains the failure.
            }
            throw;
        }
    }
}
