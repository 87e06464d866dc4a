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
    public static Task<IReadOnlyList<PollingResult>> RunAsync(IReadOnlyList<PollerSpec> pollers, int messages,
        TimeSpan meanGap, int seed = 3, CancellationToken cancellation = default) =>
        MeasureAsync(pollers, messages, async (feed, published, runs) =>
        {
            var random = new Random(seed);
            for (int n = 1; n <= messages; n++)
            {
                await Task.Delay(meanGap * (0.5 + random.NextDouble()), cancellation).ConfigureAwait(false);
                published[n] = Stopwatch.GetTimestamp();
                feed.Publish($"message {n}");
            }

            // Every poller should get the last message within its period and a margin.
            var slowest = pollers.Max(p => p.Long ? TimeSpan.Zero : p.Period) + TimeSpan.FromSeconds(5);
            var waiting = Stopwatch.StartNew();
            while (runs.Any(r => r.Delivered < messages && r.Failure is null) && waiting.Elapsed < slowest)
                await Task.Delay(10, cancellation).ConfigureAwait(false);
        }, cancellation);

    /// <summary>
    /// What polling costs while nothing happens: <paramref name="pollers"/>
    /// run for <paramref name="duration"/> with no message published.
    /// </summary>
    public static Task<IReadOnlyList<PollingResult>> IdleAsync(IReadOnlyList<PollerSpec> pollers, TimeSpan duration,
        CancellationToken cancellation = default) =>
        MeasureAsync(pollers, 0, (_, _, _) => Task.Delay(duration, cancellation), cancellation);

    /// <summary>
    /// The frame of every measurement: a feed server on 127.0.0.1:0, one
    /// <see cref="Run"/> per poller started together, then <paramref name="scenario"/>
    /// (which publishes, and records when, into <c>published[id]</c>); then
    /// every poller is stopped, and each must have delivered all <paramref name="messages"/>.
    /// </summary>
    private static async Task<IReadOnlyList<PollingResult>> MeasureAsync(IReadOnlyList<PollerSpec> pollers, int messages,
        Func<MessageFeed, long[], Run[], Task> scenario, CancellationToken cancellation)
    {
        var app = new FeedApp();
        await using var server = new HttpServer(new IPEndPoint(IPAddress.Loopback, 0), app.HandleAsync);
        server.Start();
        var published = new long[messages + 1]; // Stopwatch timestamp of message n
        var runs = pollers.Select(spec => new Run(spec, server.LocalEndPoint, published)).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var clock = Stopwatch.StartNew();
        var loops = runs.Select(run => run.StartAsync(stop.Token)).ToArray();
        TimeSpan duration;
        try
        {
            await scenario(app.Feed, published, runs).ConfigureAwait(false);
        }
        finally
        {
            duration = clock.Elapsed;
            stop.Cancel();
            await Task.WhenAll(loops).ConfigureAwait(false);
        }

        var failed = runs.FirstOrDefault(r => r.Failure is not null);
        if (failed is not null)
            throw new InvalidOperationException($"{failed.Spec.Style} ({failed.Spec.Profile.Name}) failed: {failed.Failure!.Message}", failed.Failure);
        var late = runs.FirstOrDefault(r => r.Delivered < messages);
        if (late is not null)
            throw new TimeoutException($"{late.Spec.Style} ({late.Spec.Profile.Name}) delivered {late.Delivered} of {messages} messages by the end of the run.");
        return runs.Select(r => r.Result(messages, duration)).ToArray();
    }

    /// <summary>One poller during a run: its client, what it delivered, when.</summary>
    private sealed class Run(PollerSpec spec, IPEndPoint server, long[] published)
    {
        private readonly FeedClient _client = new(server, spec.Profile);
        private readonly List<double> _latencies = [];
        private long _lastId; // ids are 1, 2, 3...: the last one delivered is also how many were
        private Exception? _failure;

        public PollerSpec Spec => spec;

        public int Delivered => (int)Volatile.Read(ref _lastId);

        public Exception? Failure => Volatile.Read(ref _failure);

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
            _latencies.Add(Stopwatch.GetElapsedTime(published[message.Id], now).TotalMilliseconds);
            Volatile.Write(ref _lastId, message.Id);
        }

        /// <summary>The figures of this poller; call after its loop has ended (MeasureAsync checks failures first).</summary>
        public PollingResult Result(int publishedCount, TimeSpan duration) =>
            new(spec, publishedCount, _latencies.Count, _client.RequestCount,
                _client.BytesSent, _client.BytesReceived, _latencies.ToArray(), duration);
    }
}
