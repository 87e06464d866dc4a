using System.Net;
using System.Net.Sockets;

namespace Course.Tests.Testing;

/// <summary><see cref="LoopbackServer"/>: start on 127.0.0.1 port 0, read back the port, stop once, every step bounded.</summary>
public class LoopbackServerTests
{
    private static readonly string NL = Environment.NewLine;

    /// <summary>The smallest server: a listening socket and a log.</summary>
    private sealed class TinyServer(IPEndPoint endpoint, LineLog log) : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private int _stops;

        public int Stops => Volatile.Read(ref _stops);

        public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

        public void Log(string line) => log.Add(line);

        public Task StartAsync()
        {
            _listener.Bind(endpoint);
            _listener.Listen(8);
            log.Add($"listening on {LocalEndPoint}");
            return Task.CompletedTask;
        }

        public Task StopAsync()
        {
            Interlocked.Increment(ref _stops);
            _listener.Dispose();
            return Task.CompletedTask;
        }

        public void Dispose() => _listener.Dispose();
    }

    private static Task<LoopbackServer<TinyServer>> StartAsync(
        Func<TinyServer, Task>? start = null, Func<TinyServer, Task>? stop = null, TimeSpan? bound = null) =>
        LoopbackServer.StartAsync(
            "the tiny server",
            (endpoint, log) => new TinyServer(endpoint, log),
            start ?? (s => s.StartAsync()),
            s => s.LocalEndPoint,
            stop ?? (s => s.StopAsync()),
            bound ?? 5.Seconds());

    [Fact]
    public async Task StartAsync_starts_the_server_on_loopback_and_reads_back_its_port()
    {
        await using var server = await StartAsync();

        server.Name.ShouldBe("the tiny server");
        server.EndPoint.Address.ShouldBe(IPAddress.Loopback);
        server.EndPoint.Port.ShouldNotBe(0);
        server.Log.Lines.ShouldBe([$"listening on {server.EndPoint}"]);
        server.Story().ShouldBe("the tiny server's log (1 line):" + NL + $"  listening on {server.EndPoint}");
        using var client = await Loopback.ConnectAsync(server.EndPoint, 5.Seconds());
    }

    [Fact]
    public async Task DisposeAsync_stops_the_server_once()
    {
        var server = await StartAsync();

        await server.DisposeAsync();
        await server.DisposeAsync();

        server.Server.Stops.ShouldBe(1);
    }

    [Fact]
    public async Task DisposeAsync_ignores_a_stop_that_is_not_implemented_yet()
    {
        TinyServer? tiny = null;
        var server = await StartAsync(stop: s => { tiny = s; throw new NotImplementedException(); });

        await server.DisposeAsync();

        tiny.ShouldNotBeNull().Dispose();
    }

    [Fact]
    public async Task DisposeAsync_times_out_naming_the_server_and_showing_its_log()
    {
        var server = await StartAsync(stop: _ => new TaskCompletionSource().Task, bound: 100.Milliseconds());
        try
        {
            var e = await Should.ThrowAsync<TimeoutException>(() => server.DisposeAsync().AsTask());

            e.Message.ShouldBe("Timed out after 100 ms waiting for the tiny server to stop." + NL + server.Story());
        }
        finally
        {
            server.Server.Dispose();
        }
    }

    [Fact]
    public async Task A_start_that_fails_stops_the_server_and_rethrows_the_start_error()
    {
        TinyServer? tiny = null;
        var failure = new SocketException((int)SocketError.AddressAlreadyInUse);

        var e = await Should.ThrowAsync<SocketException>(() => StartAsync(start: s => { tiny = s; throw failure; }));

        e.ShouldBeSameAs(failure);
        tiny.ShouldNotBeNull().Stops.ShouldBe(1);
    }

    [Fact]
    public async Task A_start_that_hangs_times_out_naming_the_server_and_showing_its_log()
    {
        TinyServer? tiny = null;

        var e = await Should.ThrowAsync<TimeoutException>(() => StartAsync(
            start: s => { tiny = s; s.Log("binding"); return new TaskCompletionSource().Task; },
            bound: 100.Milliseconds()));

        e.Message.ShouldBe("Timed out after 100 ms waiting for the tiny server to start." + NL + "the tiny server's log (1 line):" + NL + "  binding");
        tiny.ShouldNotBeNull().Stops.ShouldBe(1);
    }

    [Fact]
    public async Task A_failed_start_keeps_its_error_when_the_stop_fails_too()
    {
        var failure = new InvalidOperationException("no start");

        var e = await Should.ThrowAsync<InvalidOperationException>(() => StartAsync(
            start: _ => throw failure,
            stop: _ => throw new NotImplementedException()));

        e.ShouldBeSameAs(failure);
    }
}
