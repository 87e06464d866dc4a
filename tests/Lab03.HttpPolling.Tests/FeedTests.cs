using System.Diagnostics;

namespace Lab03.HttpPolling.Tests;

/// <summary>The message feed over HTTP (notebook 03 §5): publish, short poll, long poll.</summary>
public class FeedTests
{
    private const string Read = "Notebook 03 §5";

    [Fact, Graded(2, Hint = Read)]
    public async Task Post_answers_201_with_the_stored_message_and_ids_go_up()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        var first = await wire.ExchangeAsync(Requests.Post("/messages", "{\"text\":\"héllo\"}"), "steps 7-8: the answer to the first POST /messages", context: server.Story);
        Check.Equal(first.Status, 201, $"steps 7-8: the status of POST /messages ({first})", Read + "; RFC 9110 §15.3.2 (201 Created)");
        Check.Equal(first.Header("Content-Type"), "application/json", "step 8: the Content-Type of the answer to POST", Read);
        Check.Equal(first.Body, "{\"id\":1,\"text\":\"héllo\"}", "steps 7-8: the body of the answer to the first POST: the stored message", Read);
        var second = await wire.ExchangeAsync(Requests.Post("/messages", "{\"text\":\"again\"}"), "steps 7-8: the answer to the second POST", context: server.Story);
        Check.Equal(second.Body, "{\"id\":2,\"text\":\"again\"}", "step 7: the body of the answer to the second POST: the next id", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Short_poll_answers_at_once_with_the_messages_after_since()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        var clock = Stopwatch.StartNew();
        var empty = await wire.ExchangeAsync(Requests.Get("/messages?since=0"), "steps 7-8: the answer to GET /messages?since=0 on an empty feed", context: server.Story);
        Check.Equal(empty.Body, "[]", "steps 7-8: the body of a short poll on an empty feed", Read);
        Check.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"step 8: a short poll (no wait=) took {clock.Elapsed.TotalMilliseconds:0} ms: it must answer at once", Read);

        foreach (var text in new[] { "a", "b", "c" })
            server.App.Feed.Publish(text);
        var after1 = await wire.ExchangeAsync(Requests.Get("/messages?since=1"), "steps 7-8: the answer to GET /messages?since=1", context: server.Story);
        Check.Equal(after1.Body, "[{\"id\":2,\"text\":\"b\"},{\"id\":3,\"text\":\"c\"}]", "step 7: the messages after id 1, oldest first", Read);
        var after3 = await wire.ExchangeAsync(Requests.Get("/messages?since=3"), "steps 7-8: the answer to GET /messages?since=3", context: server.Story);
        Check.Equal(after3.Body, "[]", "step 7: the messages after the last id", Read);
        var bad = await wire.ExchangeAsync(Requests.Get("/messages?since=-1"), "step 8: the answer to since=-1", context: server.Story);
        Check.Equal(bad.Status, 400, $"step 8: the status for since=-1 ({bad})", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Long_poll_answers_as_soon_as_a_message_is_published()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);

        await wire.SendAsync(Requests.Get("/messages?since=0&wait=20"));
        var reading = wire.ReadResponseAsync("step 7: the answer to a long poll (wait=20) once a message is published", TimeSpan.FromSeconds(10), context: server.Story);
        await Task.Delay(300);
        Check.True(!reading.IsCompleted, "step 7: a long poll on an empty feed answered before anything was published: it must wait", Read);
        var clock = Stopwatch.StartNew();
        server.App.Feed.Publish("now");
        var response = await reading;
        Check.Equal(response.Body, "[{\"id\":1,\"text\":\"now\"}]", "step 7: the body of the long poll's answer", Read);
        Check.True(clock.Elapsed < TimeSpan.FromSeconds(2),
            $"step 7: the long poll answered {clock.Elapsed.TotalMilliseconds:0} ms after the publish: it must answer as soon as the message exists, not at the end of its wait", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Long_poll_times_out_empty_after_its_wait()
    {
        await using var server = await FeedServer.StartAsync();
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint);
        server.App.Feed.Publish("old");

        var clock = Stopwatch.StartNew();
        var response = await wire.ExchangeAsync(Requests.Get("/messages?since=1&wait=0.5"), "step 7: the answer to a long poll with wait=0.5 and nothing new", context: server.Story);
        var elapsed = clock.Elapsed;
        Check.Equal((response.Status, response.Body), (200, "[]"), "step 7: status and body of a long poll whose wait ran out", Read);
        Check.True(elapsed >= TimeSpan.FromMilliseconds(450) && elapsed < TimeSpan.FromSeconds(3),
            $"step 7: the empty answer came after {elapsed.TotalMilliseconds:0} ms, expected about 500 ms (wait=0.5)", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Concurrent_publishers_get_distinct_ids_in_order()
    {
        var feed = new MessageFeed();
        const int publishers = 4, each = 250;
        var ids = new long[publishers][];
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(() =>
            ids[p] = Enumerable.Range(0, each).Select(i => feed.Publish($"{p}:{i}").Id).ToArray()))).Within(TimeSpan.FromSeconds(5), "4 publishers × 250 messages");

        var all = ids.SelectMany(x => x).Order().ToArray();
        Check.True(all.SequenceEqual(Enumerable.Range(1, publishers * each).Select(i => (long)i)),
            $"step 7: the ids given to 1000 concurrent publishes should be 1..1000, each once; got {all.Distinct().Count()} distinct, from {all.First()} to {all.Last()}", Read + ": decide the id and the position under one lock");
        foreach (var perPublisher in ids)
            Check.True(perPublisher.Zip(perPublisher.Skip(1)).All(p => p.First < p.Second), "step 7: one publisher's ids should go up", Read);
        var since = feed.Since(990);
        Check.True(since.Select(m => m.Id).SequenceEqual(Enumerable.Range(991, 10).Select(i => (long)i)), $"step 7: Since(990) should be ids 991..1000; got {string.Join(",", since.Select(m => m.Id))}", Read);
    }
}
