using System.Buffers.Binary;
using System.Diagnostics;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Keepalive (step 11, <see cref="Keepalive.NextPing"/> and
/// <see cref="Keepalive.OnPong"/>; notebook 06 §6; RFC 6455 §5.5.2-§5.5.3):
/// each ping carries a counter, only the pong with the awaited counter
/// answers it, and on a real server a peer that stops answering is failed
/// with 1011 while one that answers stays.
/// </summary>
public class KeepaliveTests
{
    private const string Read = "Notebook 06 §6 (keepalive); RFC 6455 §5.5.2 (ping \"as a keepalive\"), §5.5.3 (pong; unsolicited pongs)";

    /// <summary>A clock that moves only when the test says so.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
    }

    private static byte[] Counter(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static Keepalive NewKeepalive(ManualClock? clock = null) =>
        new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(20), clock ?? new ManualClock());

    [Fact, Graded(1, Hint = Read)]
    public void NextPing_carries_a_counter_of_8_big_endian_bytes_and_awaits_its_pong()
    {
        var keepalive = NewKeepalive();
        for (ulong n = 1; n <= 3; n++)
        {
            var payload = keepalive.NextPing();
            Check.Equal(FrameFormatter.Hex(payload), FrameFormatter.Hex(Counter(n)), $"step 11: the payload of ping {n}",
                Read + ". counter++, then the counter as 8 big-endian bytes (BinaryPrimitives.WriteUInt64BigEndian).");
            Check.Equal(keepalive.PingsSent, n, $"step 11: PingsSent after {n} pings", Read);
            Check.True(keepalive.IsAwaitingPong, $"step 11: IsAwaitingPong after ping {n}: expected true", Read + ". awaited = counter.");
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public void The_pong_with_the_awaited_counter_answers_and_gives_the_round_trip()
    {
        var clock = new ManualClock();
        var keepalive = NewKeepalive(clock);
        var ping = keepalive.NextPing();
        clock.Advance(TimeSpan.FromMilliseconds(250));
        bool answered = keepalive.OnPong(ping);
        Check.True(answered, "step 11: OnPong with the payload of the ping just sent: expected true", Read + ". The pong carries the ping's payload (§5.5.3): the awaited counter.");
        Check.True(!keepalive.IsAwaitingPong, "step 11: IsAwaitingPong after the answer: expected false", Read + ". awaited = null.");
        Check.Equal(keepalive.LastRoundTrip, TimeSpan.FromMilliseconds(250), "step 11: LastRoundTrip when the pong came 250 ms after the ping (on the test's clock)",
            Read + ". sentAt = time.GetTimestamp() in NextPing; LastRoundTrip = time.GetElapsedTime(sentAt) in OnPong: use the TimeProvider given, not the wall clock.");
        Check.True(!keepalive.OnPong(ping), "step 11: the same pong a second time: expected false (it answered already)", Read);

        var second = keepalive.NextPing();
        clock.Advance(TimeSpan.FromMilliseconds(40));
        Check.True(keepalive.OnPong(second), "step 11: OnPong with ping 2's payload: expected true", Read);
        Check.Equal(keepalive.LastRoundTrip, TimeSpan.FromMilliseconds(40), "step 11: LastRoundTrip of ping 2", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Unsolicited_stale_and_malformed_pongs_do_not_count_as_the_answer()
    {
        var keepalive = NewKeepalive();
        Check.True(!keepalive.OnPong(Counter(1)), "step 11: OnPong before any ping was sent: expected false (an unsolicited pong, §5.5.3)", Read);
        var first = keepalive.NextPing();
        var second = keepalive.NextPing();
        foreach (var (what, payload) in new (string, byte[])[]
        {
            ("the payload of ping 1 (stale: ping 2 is awaited)", first),
            ("an empty payload", []),
            ("\"hello\"", "hello"u8.ToArray()),
            ("counter 3 (not sent yet)", Counter(3)),
            ("counter 2 in 9 bytes", [0, .. second]),
            ("counter 2 little-endian", [.. second.Reverse()]),
        })
        {
            Check.True(!keepalive.OnPong(payload), $"step 11: OnPong with {what}: expected false", Read + ". Only 8 bytes whose big-endian value is the awaited counter answer the ping.");
            Check.True(keepalive.IsAwaitingPong, $"step 11: IsAwaitingPong after a pong with {what}: expected true (still waiting)", Read);
        }
        Check.True(keepalive.OnPong(second), "step 11: OnPong with ping 2's payload after the others: expected true", Read);
    }

    private static TestServer StartServer(TimeSpan interval, TimeSpan timeout, TimeSpan close) => TestServer.Start(new ServerOptions
    {
        WebSocket = new WebSocketOptions { KeepAliveInterval = interval, KeepAliveTimeout = timeout, CloseTimeout = close },
        ShutdownTimeout = TimeSpan.FromSeconds(1),
    });

    [Fact, Graded(2, Hint = Read + "; §7.4.1")]
    public async Task A_peer_that_never_answers_pings_is_failed_with_1011()
    {
        var interval = TimeSpan.FromMilliseconds(200);
        var timeout = TimeSpan.FromMilliseconds(300);
        var close = TimeSpan.FromMilliseconds(1500); // also bounds the writing of the close frame: room for a stalled writer
        await using var server = StartServer(interval, timeout, close);
        // Started before the connection exists: a stalled test thread can only make the times it measures longer.
        var clock = Stopwatch.StartNew();
        await using var client = await RawClient.ConnectAsync(server.EndPoint, context: server.Context);

        var ping = await client.ReceiveFrameAsync("the server's first keepalive ping (KeepAliveInterval 200 ms; step 11)");
        Check.True(ping.Opcode == Opcode.Ping, $"step 11: the first frame on an idle connection with keepalive on: expected a ping, got {ping}", Read + "\n" + client.Story());
        Check.Equal(FrameFormatter.Hex(ping.Payload.Span), FrameFormatter.Hex(Counter(1)), "step 11: the payload of the server's first ping", Read + ". Counter 1, 8 bytes big-endian.");

        var failure = await client.ReceiveCloseAsync("the server's close 1011 after its ping went unanswered (steps 4 and 11)");
        var waited = clock.Elapsed;
        Check.True(failure.Code == 1011 && failure.Reason == "keepalive ping timeout",
            $"step 11: the close after an unanswered ping: expected 1011 \"keepalive ping timeout\", got {failure}",
            Read + "; §7.4.1: 1011, the peer stopped answering. Keepalive.RunAsync fails the connection with a WebSocketCloseException, and Fail (step 4) sends its status.\n" + client.Story());
        await client.ExpectEofAsync("the server to close TCP after failing the connection (steps 8-10)");
        var total = clock.Elapsed;
        Check.True(waited >= (interval + timeout) * 0.9,
            $"step 11: the close came {waited.TotalMilliseconds:0} ms after the connection opened, before the first ping's pong could be late (200 + 300 ms)",
            Read + ". Wait KeepAliveTimeout for the pong before failing.");
        Check.True(total <= interval + timeout + close + TimeSpan.FromSeconds(2),
            $"step 11: TCP closed {total.TotalMilliseconds:0} ms after the connection opened; expected within KeepAliveInterval + KeepAliveTimeout + CloseTimeout (2000 ms) and a margin of 2 s",
            Read + "\n" + client.Story());
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task A_peer_that_answers_pings_stays_open_across_several_intervals()
    {
        // A short interval for many pings, a timeout long enough that a test thread stalled on a busy machine still answers in time.
        var interval = TimeSpan.FromMilliseconds(100);
        await using var server = StartServer(interval, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2));
        await using var client = await RawClient.ConnectAsync(server.EndPoint, context: server.Context);

        for (ulong n = 1; n <= 6; n++)
        {
            var frame = await client.ReceiveFrameAsync($"the server's keepalive ping {n} (step 11)");
            Check.True(frame.Opcode == Opcode.Ping, $"step 11: frame {n} on a connection whose client answers every ping: expected ping {n}, got {frame}",
                Read + ". A pong with the ping's counter answers it; the connection stays open.\n" + client.Story());
            Check.Equal(FrameFormatter.Hex(frame.Payload.Span), FrameFormatter.Hex(Counter(n)), $"step 11: the payload of ping {n}", Read + ". One more each ping.");
            await client.SendAsync(ClientFrames.Pong(frame.Payload.Span), $"pong {n}");
        }
        await client.SendAsync(ClientFrames.Text("still here"), "text \"still here\"");
        var echo = await ReceiveSkippingPingsAsync(client, "the echo of \"still here\" after 6 answered pings");
        Check.Equal(System.Text.Encoding.UTF8.GetString(echo), "still here", "step 11: the echo after 6 answered pings", Read + "\n" + client.Story());
        var connection = server.Server.Connections.Connections.Single();
        Check.True(connection.Keepalive.LastRoundTrip is not null, "step 11: Keepalive.LastRoundTrip on the server after answered pings: expected a value", Read);
    }

    /// <summary>The next data message, answering the server's pings meanwhile.</summary>
    private static async Task<byte[]> ReceiveSkippingPingsAsync(RawClient client, string what)
    {
        while (true)
        {
            var frame = await client.ReceiveFrameAsync(what);
            if (frame.Opcode == Opcode.Ping)
            {
                await client.SendAsync(ClientFrames.Pong(frame.Payload.Span), "pong");
                continue;
            }
            Check.True(frame.Opcode == Opcode.Text, $"Waiting for {what}: expected a text frame, got {frame}", Read + "\n" + client.Story());
            return frame.Payload.ToArray();
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Unsolicited_and_stale_pongs_do_not_keep_a_connection_alive()
    {
        var timeout = TimeSpan.FromMilliseconds(400);
        await using var server = StartServer(TimeSpan.FromMilliseconds(150), timeout, TimeSpan.FromSeconds(2));
        await using var client = await RawClient.ConnectAsync(server.EndPoint, context: server.Context);

        // Before any ping: unsolicited pongs (§5.5.3), which need no answer and answer nothing.
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Pong([]), ClientFrames.Pong("hello"u8), ClientFrames.Pong(Counter(1))), "3 unsolicited pongs, one with counter 1");
        var ping = await client.ReceiveFrameAsync("the server's first keepalive ping (step 11)");
        Check.True(ping.Opcode == Opcode.Ping, $"step 11: expected the server's ping (the unsolicited pongs need no answer), got {ping}",
            Read + ". \"A response to an unsolicited Pong frame is not expected.\"\n" + client.Story());
        // Wrong answers only, until the server gives up: the previous counter, the next one, the right value in the wrong form.
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Pong(Counter(0)), ClientFrames.Pong(Counter(2)), ClientFrames.Pong([.. ping.Payload.ToArray().Reverse()])),
            "pongs with counters 0 and 2 and ping 1's bytes reversed");
        var failure = await client.ReceiveCloseAsync("the server's close 1011: no pong carried the counter of its ping (step 11)");
        Check.True(failure.Code == 1011 && failure.Reason == "keepalive ping timeout",
            $"step 11: the close when only wrong pongs came: expected 1011 \"keepalive ping timeout\", got {failure}",
            Read + ". OnPong returns true only for the awaited counter; any other pong must not count as the answer.\n" + client.Story());
        await client.ExpectEofAsync("the server to close TCP after failing the connection");
    }
}
