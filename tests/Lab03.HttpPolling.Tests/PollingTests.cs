namespace Lab03.HttpPolling.Tests;

/// <summary>The polling clients (notebook 03 §6): every message delivered once, in order, with concurrent publishers.</summary>
public class PollingTests
{
    private const string Read = "Notebook 03 §6 (and §5: why since= makes polling lossless)";

    [Theory, Graded(3, Hint = Read)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Delivers_every_message_once_in_order_while_three_clients_publish(bool longPolling)
    {
        await using var server = await FeedServer.StartAsync();
        await using var client = new FeedClient(server.EndPoint);
        var style = longPolling ? "long polling (wait 5 s)" : "short polling every 20 ms";
        var delivered = new List<long>();
        using var stop = new CancellationTokenSource();
        var polling = longPolling
            ? Polling.LongPollAsync(client, TimeSpan.FromSeconds(5), m => { lock (delivered) delivered.Add(m.Id); }, 0, stop.Token)
            : Polling.ShortPollAsync(client, TimeSpan.FromMilliseconds(20), m => { lock (delivered) delivered.Add(m.Id); }, 0, stop.Token);

        // Three publishers over HTTP, each on its own connection, interleaving with the polls.
        const int publishers = 3, each = 40;
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(async p =>
        {
            await using var publisher = new FeedClient(server.EndPoint);
            for (int i = 0; i < each; i++)
            {
                await publisher.PublishAsync($"{p}:{i}");
                if (i % 10 == 0)
                    await Task.Delay(5);
            }
        })).Within(TimeSpan.FromSeconds(10), "3 publishers × 40 POSTs", server.Story);

        string Got()
        {
            lock (delivered)
                return $"{delivered.Count} delivered: {string.Join(",", delivered.Take(30))}{(delivered.Count > 30 ? ",…" : "")}";
        }
        await Eventually.TrueAsync(() => { Rethrow(polling); lock (delivered) return delivered.Count >= publishers * each; }, TimeSpan.FromSeconds(5),
            $"step 9: the {style} client to deliver all {publishers * each} messages", () => Got() + "\n" + server.Story());
        await Task.Delay(100); // a message repeated late would show now
        stop.Cancel();
        long last = await polling.Within(TimeSpan.FromSeconds(5), $"step 9: the {style} loop to end when cancelled (it should return the last id)");

        long[] ids;
        lock (delivered)
            ids = delivered.ToArray();
        Check.True(ids.SequenceEqual(Enumerable.Range(1, publishers * each).Select(i => (long)i)),
            $"step 9: {style} should deliver ids 1..{publishers * each}, each once, in order; got {Got()}",
            Read + ": ask with since = the id of the last message delivered");
        Check.Equal(last, (long)publishers * each, $"step 9: the id the {style} loop returned when cancelled", Read);
        Check.Equal(client.ConnectionCount, 1, $"step 9: TCP connections the {style} client opened (the server keeps one alive)", Read + "; notebook 03 §4");
        if (longPolling)
            Check.True(client.RequestCount <= publishers * each + 5,
                $"step 9: long polling sent {client.RequestCount} requests for {publishers * each} messages; expected at most one per message (and one more held at the end): send wait= so the server holds each request", Read);
    }

    /// <summary>A polling loop that failed ends the wait at once, with its own exception, not a timeout.</summary>
    private static void Rethrow(Task polling)
    {
        if (polling.IsFaulted)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(polling.Exception!.InnerException!);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Short_polling_sleeps_its_interval_between_polls()
    {
        await using var server = await FeedServer.StartAsync();
        await using var client = new FeedClient(server.EndPoint);
        var sent = new List<TimeSpan>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        client.Tap = (direction, _) =>
        {
            if (direction == WireDirection.Sent)
                lock (sent)
                    sent.Add(clock.Elapsed);
        };
        using var stop = new CancellationTokenSource();
        var polling = Polling.ShortPollAsync(client, TimeSpan.FromMilliseconds(100), _ => { }, 0, stop.Token);
        await Eventually.TrueAsync(() => { Rethrow(polling); lock (sent) return sent.Count >= 6; }, TimeSpan.FromSeconds(5),
            "step 9: six polls from a short polling loop with a 100 ms interval", server.Story);
        stop.Cancel();
        await polling.Within(TimeSpan.FromSeconds(5), "step 9: the short polling loop to end when cancelled");

        double[] gaps;
        lock (sent)
            gaps = sent.Zip(sent.Skip(1), (a, b) => (b - a).TotalMilliseconds).Take(5).ToArray();
        Check.True(gaps.All(g => g >= 90),
            $"step 9: the gaps between polls were [{string.Join(", ", gaps.Select(g => $"{g:0} ms"))}], expected at least 100 ms each: sleep the interval between polls (Task.Delay)", Read);
    }
}
