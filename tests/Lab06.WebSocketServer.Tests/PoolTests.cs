using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The connection pool (notebook 06 §7; step 12, and the pump of steps 8-10
/// that lets each connection go): every connection under its UUID, a count
/// that returns to 0 whatever the way connections end, and a broadcast that
/// one slow reader cannot stall.
/// </summary>
public sealed class PoolTests
{
    private const string Pool = "Notebook 06 §7 (pool, broadcast, slow consumers)";
    private const string Slow = "Notebook 06 §7 (slow consumers) and §2 (bufferedAmount); RFC 6455 §7.4.1 (1008 Policy Violation)";

    private static readonly MessageHandler Echo = (connection, message, ct) => connection.SendAsync(message, ct);

    [Fact, Graded(1, Hint = Pool)]
    public async Task The_pool_counts_its_connections_and_raises_Opened_and_Closed_with_their_ids()
    {
        var pool = new ConnectionPool();
        var opened = new List<Guid>();
        var closed = new List<(Guid Id, ConnectionClosed How)>();
        pool.Opened += c => { lock (opened) opened.Add(c.Id); };
        pool.Closed += (c, how) => { lock (closed) closed.Add((c.Id, how)); };
        var pairs = new List<SocketPair>();
        try
        {
            for (int i = 0; i < 3; i++)
                pairs.Add(await SocketPair.StartAsync(Echo, pool: pool));
            Check.Equal(pool.Count, 3, "step 8: pool.Count with 3 connections running", Pool);
            lock (opened)
                Check.True(opened.SequenceEqual(pairs.Select(p => p.Server.Id)), "Opened: expected one event per connection, with its Id, in order", Pool);
            foreach (var pair in pairs)
            {
                Check.True(pair.Server.Id.Version == 4, $"The connection's Id {pair.Server.Id}: expected a random UUID (version 4), got version {pair.Server.Id.Version}", Pool + "; RFC 9562 §5.4");
                Check.Equal(pair.Server.ShortId, pair.Server.Id.ToString("N")[..8], "ShortId: the first 8 hex digits of the Id", Pool);
                Check.True(pool.Find(pair.Server.Id) == pair.Server, $"pool.Find({pair.Server.ShortId}) should give the connection", Pool);
            }
            Check.Equal(pairs.Select(p => p.Server.Id).Distinct().Count(), 3, "distinct Ids among 3 connections", Pool);

            // One closes cleanly, one resets, one just ends TCP: the pool must let go of each.
            await pairs[0].Client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", default).Within(Loopback.DefaultBound, "steps 8-10: .NET's client to close", pairs[0].Describe);
            pairs[1].ClientSocket.Abort();
            pairs[2].ClientSocket.Shutdown(SocketShutdown.Send);
            await Eventually.TrueAsync(() => pool.Count == 0, Loopback.DefaultBound, "steps 8-10: the pool to be empty after its 3 connections ended",
                () => $"pool.Count is {pool.Count}. {string.Join("; ", pairs.Select(p => p.Describe()))}");
            lock (closed)
            {
                Check.Equal(closed.Count, 3, "Closed events after 3 connections ended", Pool);
                var clean = closed.Single(c => c.Id == pairs[0].Server.Id).How;
                Check.Equal((clean.Code, clean.Reason, clean.WasClean, clean.By), (1000, "bye", true, ClosedBy.Peer),
                    "steps 8-10: the Closed event of the connection whose peer closed with 1000 \"bye\" (code, reason, clean, by)", Pool + "; RFC 6455 §7.1.4-§7.1.5");
                foreach (var pair in pairs.Skip(1))
                {
                    var how = closed.Single(c => c.Id == pair.Server.Id).How;
                    Check.Equal((how.Code, how.WasClean), (1006, false), "step 8: the Closed event of a connection whose TCP ended with no close frame (code, clean)", Pool + "; RFC 6455 §7.1.5");
                }
            }
        }
        finally
        {
            foreach (var pair in pairs)
                await pair.DisposeAsync();
        }
    }

    [Fact, Graded(2, Hint = Pool)]
    public async Task A_thousand_clients_each_echo_a_message_and_the_pool_returns_to_0()
    {
        const int clients = 1000;
        await using var server = TestServer.Start(new ServerOptions { MaxConnections = 2000 });
        var uri = server.Ws("/echo");
        // One handler for all: each WebSocket still gets its own TCP connection (an upgraded one is never pooled).
        using var handler = new SocketsHttpHandler { UseProxy = false };
        using var invoker = new HttpMessageInvoker(handler);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var handshakes = new SemaphoreSlim(64); // the server's listen backlog is 128: no SYN is dropped and retried a second later
        var allOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int open = 0;
        var clock = Stopwatch.StartNew();

        async Task One(int i)
        {
            using var ws = new ClientWebSocket();
            ws.Options.KeepAliveInterval = TimeSpan.Zero;
            await handshakes.WaitAsync(deadline.Token);
            try
            {
                await ws.ConnectAsync(uri, invoker, deadline.Token);
            }
            finally
            {
                handshakes.Release();
            }
            if (Interlocked.Increment(ref open) == clients)
                allOpen.TrySetResult();
            await go.Task.WaitAsync(deadline.Token); // all 1000 open at once before any echo
            var text = $"client {i} says hello";
            await ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, deadline.Token);
            var buffer = new byte[256];
            var result = await ws.ReceiveAsync(buffer, deadline.Token);
            var echo = Encoding.UTF8.GetString(buffer, 0, result.Count);
            if (echo != text || !result.EndOfMessage)
                throw new InvalidDataException($"client {i}: expected the echo {Visible.Quoted(text)}, got {Visible.Quoted(echo)}");
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", deadline.Token);
        }

        var errors = new List<string>();
        var runs = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            try
            {
                await One(i);
            }
            catch (Exception e)
            {
                lock (errors)
                    errors.Add($"client {i}: {e.GetType().Name}: {e.Message}");
                deadline.Cancel(); // one failure ends the rest at once
            }
        })).ToArray();

        string Report() => $"{open} of {clients} clients opened, pool.Count {server.Server.Connections.Count}, after {clock.Elapsed.TotalSeconds:0.0} s. " +
            $"First errors: {string.Join("; ", errors.Take(5))}\n{server.Context()}";
        var opening = await Task.WhenAny(allOpen.Task, Task.WhenAll(runs)).Within(TimeSpan.FromSeconds(31), "1000 ClientWebSockets to open", Report);
        lock (errors)
            Check.True(errors.Count == 0, $"steps 8-13: {errors.Count} of {clients} clients failed while opening", Pool + ". " + Report());
        await Eventually.TrueAsync(() => server.Server.Connections.Count == clients, TimeSpan.FromSeconds(10),
            "step 13: the pool to hold all 1000 connections (MaxConnections is 2000)", Report);
        go.TrySetResult();
        await Task.WhenAll(runs).Within(TimeSpan.FromSeconds(31), "1000 clients to echo one message each and close", Report);
        lock (errors)
            Check.True(errors.Count == 0, $"steps 8-10: {errors.Count} of {clients} clients failed to echo or close", Pool + ". " + Report());
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 0, TimeSpan.FromSeconds(10),
            "steps 8-10: the pool to return to 0 after 1000 clients closed", Report);
    }

    [Fact, Graded(1, Hint = Pool)]
    public async Task Clients_that_vanish_mid_handshake_or_mid_frame_leave_the_pool_and_harm_nobody()
    {
        await using var server = TestServer.Start();
        using var good = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await DotnetWs.EchoAsync(good, WebSocketMessageType.Text, "before"u8.ToArray(), server.Context, "steps 8 and 9");

        // Half a handshake, then a reset.
        var halfHandshake = await server.ConnectRawAsync();
        await halfHandshake.SendBytesAsync(Encoding.ASCII.GetBytes("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: webs"));
        halfHandshake.Abort();

        // Half a frame (a header that announces 100 bytes, and 10 of them), then a reset.
        await using (var halfFrame = await RawClient.ConnectAsync(server.EndPoint, "/echo", context: server.Context))
        {
            await halfFrame.SendAsync([.. ClientFrames.Header(0x81, 100), .. new byte[10]], "half a frame");
            halfFrame.Socket.Abort();
        }

        // A whole message, then a reset without reading the echo.
        await using (var noReader = await RawClient.ConnectAsync(server.EndPoint, "/echo", context: server.Context))
        {
            await noReader.SendAsync(ClientFrames.Text("are you there?"), "a message");
            noReader.Socket.Abort();
        }

        // And one that ends TCP (FIN) half-way through a frame.
        await using (var finMidFrame = await RawClient.ConnectAsync(server.EndPoint, "/echo", context: server.Context))
        {
            await finMidFrame.SendAsync(ClientFrames.Header(0x82, 1000), "a header alone");
            finMidFrame.Socket.Shutdown(SocketShutdown.Send);
            await finMidFrame.Socket.WaitForCloseAsync(Loopback.DefaultBound, "steps 8 and 10: the server to end a connection whose peer sent FIN mid-frame", server.Context);
        }

        await Eventually.TrueAsync(() => server.Server.Connections.Count == 1, Loopback.DefaultBound,
            "step 8: the pool to hold only the good client after the others vanished", () => $"pool.Count is {server.Server.Connections.Count}.\n{server.Context()}");
        await DotnetWs.EchoAsync(good, WebSocketMessageType.Text, "after"u8.ToArray(), server.Context, "steps 8 and 9");
        await good.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default).Within(Loopback.DefaultBound, "the good client's close", server.Context);
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 0, Loopback.DefaultBound,
            "steps 8-10: the pool to be empty", () => $"pool.Count is {server.Server.Connections.Count}.\n{server.Context()}");
    }

    [Fact, Graded(2, Hint = Slow)]
    public async Task Broadcast_drops_a_reader_that_never_reads_and_keeps_serving_the_others()
    {
        var options = new ServerOptions
        {
            WebSocket = WebSocketOptions.Default with
            {
                MaxBufferedBytes = 64 * 1024,
                CloseTimeout = TimeSpan.FromMilliseconds(500),
                KeepAliveInterval = Timeout.InfiniteTimeSpan,
            },
        };
        await using var server = TestServer.Start(options);
        var pool = server.Server.Connections;
        var left = new TaskCompletionSource<ConnectionClosed>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await RawClient.ConnectAsync(server.EndPoint, "/echo", context: server.Context);
        slow.Socket.ReceiveBufferSize = 4096; // it never reads: the kernel fills, then the server's queue
        await Eventually.TrueAsync(() => pool.Count == 1, Loopback.DefaultBound, "the slow reader in the pool", server.Context);
        var slowConnection = pool.Connections.Single();
        pool.Closed += (c, how) => { if (c == slowConnection) left.TrySetResult(how); };
        using var fast = await DotnetWs.ConnectAsync(server.Ws("/echo"), server.Context);
        await Eventually.TrueAsync(() => pool.Count == 2, Loopback.DefaultBound, "both clients in the pool", server.Context);

        var longest = TimeSpan.Zero;
        BroadcastResult result = default;
        int sent = 0;
        for (; sent < 4000 && result.Dropped == 0; sent++)
        {
            var text = $"{sent:d6} " + new string('x', 16 * 1024);
            var clock = Stopwatch.StartNew();
            result = pool.Broadcast(Message.FromText(text));
            longest = clock.Elapsed > longest ? clock.Elapsed : longest;
            // The fast client reads each message before the next goes: its queue never fills.
            var (_, echo) = await DotnetWs.ReceiveAsync(fast, $"step 12: the fast client to receive broadcast {sent + 1}", server.Context);
            Check.True(Encoding.UTF8.GetString(echo) == text, $"step 12: broadcast {sent + 1}: the fast client got something else ({echo.Length} bytes)", Slow);
            Check.True(result.Queued >= 1, $"step 12: broadcast {sent + 1} was not queued for the fast client: {result}", Slow);
        }
        Check.True(result.Dropped == 1, $"step 12: after {sent} broadcasts of 16 KiB to a reader that never reads (MaxBufferedBytes 64 KiB), expected Broadcast to report it Dropped; last result {result}",
            Slow + ". TrySend says Full once MaxBufferedBytes wait: count it as dropped and close it with ConnectionPool.TooSlow.");
        Check.True(longest < TimeSpan.FromMilliseconds(500), $"step 12: the longest Broadcast call took {longest.TotalMilliseconds:0} ms; it must never wait for a reader",
            Slow + ". Use TrySend, never SendAsync, in Broadcast.");

        // The slow one is closed with 1008; it never reads the close frame, so the close timeout drops it.
        var how = await left.Task.Within(TimeSpan.FromSeconds(4), "step 12: the slow reader to leave the pool (1008, then dropped at the 500 ms close timeout)", server.Context);
        Check.Equal((how.Code, how.WasClean, how.By), (1008, false, ClosedBy.Local), "step 12: how the slow reader's connection ended (code, clean, by)",
            Slow + ". This end closed it with ConnectionPool.TooSlow (1008), and it never answered.");
        var after = pool.Broadcast(Message.FromText("still here"));
        Check.Equal(after, new BroadcastResult(1, 0, 0), "step 12: Broadcast once the slow reader is gone", Slow);
        var (_, last) = await DotnetWs.ReceiveAsync(fast, "step 12: the fast client to receive the broadcast after the slow reader left", server.Context);
        Check.Equal(Encoding.UTF8.GetString(last), "still here", "step 12: the last broadcast the fast client got", Slow);
    }
}
