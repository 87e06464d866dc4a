namespace Lab03.HttpPolling.Tests;

/// <summary>
/// Whole conversations with the lab's server as snapshots, CR and LF visible
/// (Date and ports scrubbed): the bytes of HTTP/1.1, to read and to compare.
/// </summary>
public class TranscriptSnapshotTests
{
    private const string Read = "Notebook 03 §3-§5; the approved file in tests/Lab03.HttpPolling.Tests/snapshots/ shows every expected byte";

    [Fact, Graded(2, Hint = Read)]
    public async Task Keep_alive_session_matches_the_snapshot()
    {
        await using var server = await FeedServer.StartAsync(new HttpServerOptions { Clock = new FixedClock() });
        var transcript = new Transcript("client", "server") { MaxBytesShown = 400 };
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint, transcript);

        transcript.Note("one connection, kept alive: publish, short poll, long poll, errors, close");
        await wire.ExchangeAsync(Requests.Post("/messages", "{\"text\":\"hello\"}"), "the POST", context: server.Story);
        await wire.ExchangeAsync(Requests.Get("/messages?since=0"), "the short poll", context: server.Story);
        await wire.ExchangeAsync(Requests.Get("/messages?since=1&wait=0.1"), "the long poll that times out", context: server.Story);
        await wire.ExchangeAsync(Requests.Bodiless("HEAD", "/messages?since=0"), "the HEAD", context: server.Story);
        await wire.ExchangeAsync(Requests.Bodiless("PUT", "/messages"), "the PUT", context: server.Story);
        await wire.ExchangeAsync(Requests.Get("/favicon.ico", "Connection: close"), "the last GET", context: server.Story);
        await wire.WaitForCloseAsync("the server closing after Connection: close");

        transcript.ToString().ShouldMatchSnapshot();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Bad_request_transcript_matches_the_snapshot()
    {
        await using var server = await FeedServer.StartAsync(new HttpServerOptions { Clock = new FixedClock() });
        var transcript = new Transcript("client", "server") { MaxBytesShown = 400 };
        await using var wire = await HttpWire.ConnectAsync(server.EndPoint, transcript);

        transcript.Note("a field name followed by a space before its colon: 400, then the server closes");
        await wire.ExchangeAsync("GET /messages HTTP/1.1\r\nHost : test\r\n\r\n", "the bad request", context: server.Story);
        await wire.WaitForCloseAsync("the server closing after a 400");

        transcript.ToString().ShouldMatchSnapshot();
    }

    /// <summary>A clock stuck at one moment, so that Date is the same in every run.</summary>
    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 23, 9, 30, 0, TimeSpan.Zero);
    }
}
