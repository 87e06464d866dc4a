using System.Diagnostics;
using System.Net;

namespace Lab03.HttpPolling;

/// <summary>
/// Measures polling: a feed server in this process, pollers of every kind
/// polling it at once, a publisher, and counters at the pollers' sockets.
/// </summary>
/// <remarks>
/// <para>The publisher writes straight into the <see cref="MessageFeed"/> (not
/// over HTTP), so that the clock starts when the message exists on the server
/// and the bytes counted are the pollers' only.</para>
/// <para>Every poller checks what it gets: ids 1, 2, 3... each once, in order.
/// A measurement of a poller that loses or repeats messages would be
/// meaningless, so the run fails instead.</para>
/// </remarks>
public static class PollingExperiment
{
    /// <summary>
    /// Runs <paramref name="pollers"/> together while <paramref name="messages"/>
    /// messages are published at random moments <paramref name="meanGap"/> apart
    /// on average (seeded, so every run publishes on the same schedule).
    /// </summary>
    public static async Task<IReadOnlyList<PollingResult>> RunAsync(IReadOnlyList<PollerSpec> pollers, int messages,
        TimeSpan meanGap, int seed = 3, CancellationToken cancellation = default)
    {
        var app = new FeedApp();
        await using var server = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), app.HandleAsync);
        server.Start();
        var published = new long[messages + 1]; // Stopwatch timestamp of message n
        var runs = pollers.Select(spec => new Run(spec, server.LocalEndPoint, published)).ToArray();
        var clock = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var loops = runs.Select(run => run.StartAsync(stop.Token)).ToArray();

        var random = new Random(seed);
        for (int n = 1; n <= messages; n++)
        {
            await Task.Delay(meanGap * (0.5 + random.NextDouble()), cancellation).ConfigureAwait(false);
            published[n] = Stopwatch.GetTimestamp();
            app.Feed.Publish($"message {n}");
        }

        // Every poller must get the last message within its period and a margin.
        var slowest = pollers.Max(p => p.Long ? TimeSpan.Zero : p.Period) + TimeSpan.FromSeconds(5);
        var waiting = Stopwatch.StartNew();
        while (runs.Any(r => r.Delivered < messages) && waiting.Elapsed < slowest)
            await Task.Delay(10, cancellation).ConfigureAwait(false);
        var duration = clock.Elapsed;
        stop.Cancel();
        await Task.WhenAll(loops).ConfigureAwait(false);

        var failed = runs.FirstOrDefault(r => r.Failure is not null);
        if (failed is not null)
            throw new InvalidOperationException($"{failed.Spec.Style} ({failed.Spec.Profile.Name}) failed: {failed.Failure!.Message}", failed.Failure);
        var late = runs.FirstOrDefault(r => r.Delivered < messages);
        if (late is not null)
            throw new TimeoutException($"{late.Spec.Style} ({late.Spec.Profile.Name}) delivered {late.Delivered} of {messages} messages within {slowest.TotalSeconds:0.#} s of the last publish.");
        return runs.Select(r => r.Result(messages, duration)).ToArray();
    }

    /// <summary>
    /// What polling costs while nothing happens: <paramref name="pollers"/>
    /// run for <paramref name="duration"/> with no message published.
    /// </summary>
    public static async Task<IReadOnlyList<PollingResult>> IdleAsync(IReadOnlyList<PollerSpec> pollers, TimeSpan duration,
        CancellationToken cancellation = default)
    {
        var app = new FeedApp();
        await using var server = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), app.HandleAsync);
        server.Start();
        var runs = pollers.Select(spec => new Run(spec, server.LocalEndPoint, [0])).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var clock = Stopwatch.StartNew();
        var loops = runs.Select(run => run.StartAsync(stop.Token)).ToArray();
        await Task.Delay(duration, cancellation).ConfigureAwait(false);
        stop.Cancel();
        await Task.WhenAll(loops).ConfigureAwait(false);
        return runs.Select(r => r.Result(0, clock.Elapsed)).ToArray();
    }

    /// <summary>One poller during a run: its client, what it delivered, when.</summary>
    private sealed class Run(PollerSpec spec, IPEndPoint server, long[] published)
    {
        private readonly FeedClient _client = new(server, spec.Profile);
        private readonly List<double> _latencies = [];
        private long _lastId;
        private Exception? _failure;
        private int _count;

        public PollerSpec Spec => spec;

        public int Delivered => Volatile.Read(ref _count);

        public Exception? Failure => _failure;

        public async Task StartAsync(CancellationToken stop)
        {
            try
            {
                await spec.RunAsync(_client, Deliver, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                _failure = e;
            }
            finally
            {
                await _client.DisposeAsync().ConfigureAwait(false);
            }
        }

        private void Deliver(FeedMessage message)
        {
            var now = Stopwatch.GetTimestamp();
            if (message.Id != _lastId + 1)
                throw new InvalidOperationException(
                    $"{spec.Style} ({spec.Profile.Name}) got message {message.Id} after {_lastId}: a poller must deliver every message once, in order.");
            _lastId = message.Id;
            _latencies.Add(Stopwatch.GetElapsedTime(published[message.Id], now).TotalMilliseconds);
            Interlocked.Increment(ref _count);
        }

        public PollingResult Result(int publishedCount, TimeSpan duration)
        {
            if (_failure is not null)
                throw new InvalidOperationException($"{spec.Style} ({spec.Profile.Name}) failed: {_failure.Message}", _failure);
            return new PollingResult(spec, publishedCount, _latencies.Count, _client.RequestCount,
                _client.BytesSent, _client.BytesReceived, _latencies.ToArray(), duration);
        }
    }
}
