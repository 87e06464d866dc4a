using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Course.Tests.Testing;

/// <summary>
/// <see cref="ChaosProxy"/> in front of a tiny echo peer: bytes intact in both directions,
/// re-chunked as the mode says, FIN and RST passed on, and a bounded stop.
/// </summary>
public class ChaosProxyTests
{
    private static readonly TimeSpan Bound = 5.Seconds();

    [Fact]
    public async Task PassThrough_forwards_bytes_both_ways_intact()
    {
        await using var peer = new EchoPeer();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, ChaosMode.PassThrough);
        using var client = await Loopback.ConnectAsync(proxy.EndPoint, Bound);
        var payload = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();

        await client.SendBytesAsync(payload, Bound);
        var echo = await client.ReceiveBytesAsync(payload.Length, Bound, "the echo through the proxy", proxy.ToString);

        echo.ShouldBe(payload);
        peer.Received.ShouldBe(payload);
        await Eventually.TrueAsync(() => proxy.BytesToUpstream == 4096 && proxy.BytesToClient == 4096, Bound, "the proxy to count 4096 bytes each way", proxy.ToString);
        proxy.ConnectionCount.ShouldBe(1);
    }

    [Fact]
    public async Task OneByteAtATime_sends_each_byte_apart_so_one_send_arrives_in_several_reads()
    {
        await using var peer = new EchoPeer();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, new ChaosOptions
        {
            ToUpstream = ChaosMode.OneByteAtATime,
            ToClient = ChaosMode.OneByteAtATime,
            BytePause = 10.Milliseconds(),
        });
        using var client = await Loopback.ConnectAsync(proxy.EndPoint, Bound);
        var payload = "0123456789"u8.ToArray();

        await client.SendBytesAsync(payload, Bound);
        var (echo, reads) = await ReceiveCountingReadsAsync(client, payload.Length, proxy);

        echo.ShouldBe(payload);
        peer.Received.ShouldBe(payload);
        // One Send per byte is what the proxy does; how many reads the receiver
        // needs is up to the scheduler, but with a 10 ms pause it is never one.
        proxy.SendsToUpstream.ShouldBe(10);
        proxy.SendsToClient.ShouldBe(10);
        peer.ReadSizes.Count.ShouldBeGreaterThan(1);
        reads.ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Coalesce_glues_separate_small_sends_into_fewer_reads()
    {
        await using var peer = new EchoPeer();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, new ChaosOptions
        {
            ToUpstream = ChaosMode.Coalesce,
            CoalesceWindow = 150.Milliseconds(),
        });
        using var client = await Loopback.ConnectAsync(proxy.EndPoint, Bound);

        // Synchronous sends 5 ms apart: each leaves as its own segment (NoDelay), and
        // their spacing does not depend on the thread pool, which parallel tests keep busy.
        foreach (var message in new[] { "one\n", "two\n", "three\n" })
        {
            client.Send(Encoding.ASCII.GetBytes(message)).ShouldBe(message.Length);
            Thread.Sleep(5);
        }
        var echo = await client.ReceiveBytesAsync(14, Bound, "the echo of three messages", proxy.ToString);

        Encoding.ASCII.GetString(echo).ShouldBe("one\ntwo\nthree\n");
        proxy.SendsToUpstream.ShouldBeLessThan(3);
        peer.ReadSizes.Count.ShouldBeLessThan(3);
    }

    [Theory]
    [InlineData(ChaosMode.PassThrough)]
    [InlineData(ChaosMode.OneByteAtATime)]
    [InlineData(ChaosMode.Coalesce)]
    public async Task A_FIN_passes_through_after_the_pending_bytes_and_half_close_still_works(ChaosMode mode)
    {
        await using var peer = new EchoPeer();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, mode);
        using var client = await Loopback.ConnectAsync(proxy.EndPoint, Bound);

        await client.SendBytesAsync("bye\n"u8.ToArray(), Bound);
        client.Shutdown(SocketShutdown.Send);

        await peer.SawFin.Task.Within(Bound, "the upstream peer to read 0 (the client's FIN)", proxy.ToString);
        peer.Received.ShouldBe("bye\n"u8.ToArray());
        // The peer echoes, then sends its own FIN: the client's read side still works.
        var echo = await client.ReceiveToEndAsync(100, Bound, "the echo and the peer's FIN", proxy.ToString);
        Encoding.ASCII.GetString(echo).ShouldBe("bye\n");
    }

    [Fact]
    public async Task A_reset_from_the_client_reaches_the_upstream_as_a_reset()
    {
        await using var peer = new EchoPeer();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, ChaosMode.PassThrough);
        using var client = await Loopback.ConnectAsync(proxy.EndPoint, Bound);
        await client.SendBytesAsync("x"u8.ToArray(), Bound);
        await client.ReceiveBytesAsync(1, Bound, "the echo of 'x'", proxy.ToString);

        client.Abort();

        (await peer.Closed.Task.Within(Bound, "the upstream connection to end", proxy.ToString)).ShouldBe(PeerClose.Reset);
    }

    [Fact]
    public async Task DisposeAsync_closes_the_listener_and_every_connection_within_a_bound()
    {
        await using var peer = new EchoPeer();
        var proxy = ChaosProxy.Start(peer.EndPoint, ChaosMode.OneByteAtATime);
        using var client = await Loopback.ConnectAsync(proxy.EndPoint, Bound);
        await client.SendBytesAsync("x"u8.ToArray(), Bound);
        await client.ReceiveBytesAsync(1, Bound, "the echo of 'x'", proxy.ToString);

        await proxy.DisposeAsync().AsTask().Within(Bound, "the proxy to stop");

        await client.WaitForCloseAsync(Bound, "the proxy to close the client's connection");
        await peer.Closed.Task.Within(Bound, "the proxy to close the upstream connection");
        await proxy.DisposeAsync().AsTask().Within(Bound, "a second DisposeAsync");
    }

    [Fact]
    public async Task ToString_names_the_endpoints_the_modes_and_the_counts()
    {
        await using var peer = new EchoPeer();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, new ChaosOptions { ToUpstream = ChaosMode.Coalesce });

        proxy.ToString().ShouldBe(
            $"chaos proxy {proxy.EndPoint} → {peer.EndPoint} (to upstream: Coalesce, to client: PassThrough): " +
            "0 connection(s), 0 bytes in 0 sends to upstream, 0 bytes in 0 sends to client");
        proxy.EndPoint.Address.ShouldBe(IPAddress.Loopback);
        proxy.Upstream.ShouldBe(peer.EndPoint);
    }

    private static Task<(byte[] Bytes, int Reads)> ReceiveCountingReadsAsync(Socket socket, int count, ChaosProxy proxy) =>
        Bounded.RunAsync(Bound, $"{count} bytes through the proxy", async ct =>
        {
            var buffer = new byte[count];
            int filled = 0, reads = 0;
            while (filled < count)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct);
                if (n == 0)
                    throw new EndOfStreamException($"FIN after {filled} of {count} bytes");
                filled += n;
                reads++;
            }
            return (buffer, reads);
        }, proxy.ToString);

    /// <summary>
    /// An echo server on raw sockets that serves one connection: it records each
    /// read, echoes it, and answers the client's FIN with its own.
    /// </summary>
    private sealed class EchoPeer : IAsyncDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly MemoryStream _received = new();
        private readonly Task _serving;
        private Socket? _connection;

        public EchoPeer()
        {
            _listener.Bind(Loopback.AnyPort());
            _listener.Listen(1);
            EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
            _serving = ServeAsync();
        }

        public IPEndPoint EndPoint { get; }

        /// <summary>The size of each read that returned bytes.</summary>
        public ConcurrentQueue<int> ReadSizes { get; } = new();

        /// <summary>Every byte read so far.</summary>
        public byte[] Received
        {
            get
            {
                lock (_received)
                    return _received.ToArray();
            }
        }

        /// <summary>Set when a read returned 0.</summary>
        public TaskCompletionSource SawFin { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set when the connection ended, with how.</summary>
        public TaskCompletionSource<PeerClose> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private async Task ServeAsync()
        {
            try
            {
                _connection = await _listener.AcceptAsync();
                var buffer = new byte[64 * 1024];
                while (true)
                {
                    int n = await _connection.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                    {
                        SawFin.TrySetResult();
                        _connection.Shutdown(SocketShutdown.Send);
                        Closed.TrySetResult(PeerClose.Fin);
                        return;
                    }
                    ReadSizes.Enqueue(n);
                    lock (_received)
                        _received.Write(buffer, 0, n);
                    for (int sent = 0; sent < n;)
                        sent += await _connection.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
            {
                Closed.TrySetResult(PeerClose.Reset);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Disposed by the test.
            }
            finally
            {
                Closed.TrySetResult(PeerClose.Fin);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Dispose();
            _connection?.Dispose();
            await _serving.Within(Bound, "the echo peer to stop");
        }
    }
}
