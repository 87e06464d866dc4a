using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Course.Testing;

/// <summary>How a <see cref="ChaosProxy"/> re-chunks the bytes it forwards.</summary>
public enum ChaosMode
{
    /// <summary>Forward each received chunk as it came.</summary>
    PassThrough,

    /// <summary>
    /// Forward every byte in its own Send, with Nagle off (NoDelay) and a short
    /// pause after each, so the reader sees them arrive apart: a 6-byte message
    /// comes in six reads.
    /// </summary>
    OneByteAtATime,

    /// <summary>
    /// Hold bytes for a short window, then forward all of them in one Send, so
    /// messages written separately arrive glued together in one read.
    /// </summary>
    Coalesce,
}

/// <summary>Settings of a <see cref="ChaosProxy"/>.</summary>
public sealed record ChaosOptions
{
    /// <summary>How bytes from the client are forwarded to the upstream server.</summary>
    public ChaosMode ToUpstream { get; init; } = ChaosMode.PassThrough;

    /// <summary>How bytes from the upstream server are forwarded to the client.</summary>
    public ChaosMode ToClient { get; init; } = ChaosMode.PassThrough;

    /// <summary>The pause after each byte in <see cref="ChaosMode.OneByteAtATime"/>.</summary>
    public TimeSpan BytePause { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>How long <see cref="ChaosMode.Coalesce"/> gathers bytes before one Send.</summary>
    public TimeSpan CoalesceWindow { get; init; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Bound for connecting upstream and for stopping.</summary>
    public TimeSpan Bound { get; init; } = Loopback.DefaultBound;
}

/// <summary>
/// A TCP proxy on 127.0.0.1 (port 0) in front of an upstream server that
/// re-chunks the byte stream in each direction. It catches the classic bug
/// "one Receive = one message": TCP is a byte stream (RFC 9293 §2.2), the
/// sender's writes and the receiver's reads need not line up, so a reader must
/// be correct whether a message arrives one byte at a time or glued to the next.
/// </summary>
/// <remarks>
/// <para>Each accepted client gets its own upstream connection and two relays
/// (client → upstream, upstream → client). A relay is a reader (receive loop)
/// and a writer (the chaos) joined by a bounded channel, so a slow writer holds
/// back the reader instead of buffering without limit.</para>
/// <para>Closing is forwarded faithfully: a FIN (0-byte read) on one side becomes
/// Shutdown(Send) on the other after the pending bytes, so half-close still
/// works through the proxy; a reset on one side aborts the other (RST).</para>
/// <para><see cref="DisposeAsync"/> closes the listener and every socket and
/// waits, bounded, for all relays.</para>
/// </remarks>
public sealed class ChaosProxy : IAsyncDisposable
{
    private readonly ChaosOptions _options;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _relays = [];
    private readonly Task _acceptLoop;
    private Task? _disposing;
    private long _bytesToUpstream, _bytesToClient, _sendsToUpstream, _sendsToClient;
    private int _connections;

    private ChaosProxy(IPEndPoint upstream, ChaosOptions options)
    {
        Upstream = upstream;
        _options = options;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(Loopback.AnyPort());
        _listener.Listen(128);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts a proxy that applies <paramref name="mode"/> in both directions.</summary>
    public static ChaosProxy Start(IPEndPoint upstream, ChaosMode mode) =>
        Start(upstream, new ChaosOptions { ToUpstream = mode, ToClient = mode });

    /// <summary>Starts a proxy with the given options.</summary>
    public static ChaosProxy Start(IPEndPoint upstream, ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(options);
        return new ChaosProxy(upstream, options);
    }

    /// <summary>Where clients connect: 127.0.0.1 and the proxy's port.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The server the proxy forwards to.</summary>
    public IPEndPoint Upstream { get; }

    /// <summary>Bytes forwarded from clients to the upstream server.</summary>
    public long BytesToUpstream => Interlocked.Read(ref _bytesToUpstream);

    /// <summary>Bytes forwarded from the upstream server to clients.</summary>
    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    /// <summary>Send calls made towards the upstream server.</summary>
    public long SendsToUpstream => Interlocked.Read(ref _sendsToUpstream);

    /// <summary>Send calls made towards clients.</summary>
    public long SendsToClient => Interlocked.Read(ref _sendsToClient);

    /// <summary>Clients accepted so far.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>
    /// One line for failure messages: "chaos proxy 127.0.0.1:40001 → 127.0.0.1:40000 (to upstream: OneByteAtATime, to client: OneByteAtATime):
    /// 1 connection(s), 12 bytes in 12 sends to upstream, 12 bytes in 12 sends to client".
    /// </summary>
    public override string ToString() =>
        $"chaos proxy {EndPoint} → {Upstream} (to upstream: {_options.ToUpstream}, to client: {_options.ToClient}): " +
        $"{ConnectionCount} connection(s), {BytesToUpstream} bytes in {SendsToUpstream} sends to upstream, " +
        $"{BytesToClient} bytes in {SendsToClient} sends to client";

    /// <summary>Stops accepting, closes every socket and waits (bounded) for all relays.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
            _disposing ??= StopAsync();
        await _disposing.ConfigureAwait(false);
    }

    private async Task StopAsync()
    {
        _stopping.Cancel();
        _listener.Dispose();
        Task[] relays;
        lock (_gate)
        {
            foreach (var socket in _sockets)
                socket.Dispose();
            relays = [.. _relays];
        }
        await Task.WhenAll(relays.Append(_acceptLoop)).Within(_options.Bound, $"the chaos proxy on {EndPoint} to stop its relays").ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // a client that gave up while waiting in the backlog
            }

            Interlocked.Increment(ref _connections);
            lock (_gate)
            {
                if (_stopping.IsCancellationRequested)
                {
                    client.Dispose();
                    return;
                }
                _sockets.Add(client);
                _relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var upstream = new Socket(Upstream.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
                upstream.Dispose();
            else
                _sockets.Add(upstream);
        }
        try
        {
            client.NoDelay = true;
            await upstream.ConnectAsync(Upstream)
                .Within(_options.Bound, $"the chaos proxy's connection to {Upstream}").ConfigureAwait(false);
            var toUpstream = PumpAsync(client, upstream, _options.ToUpstream, toClient: false);
            var toClient = PumpAsync(upstream, client, _options.ToClient, toClient: true);

            // If one direction fails (a reset, say), the other may wait forever
            // for bytes that will never come: abort both sockets to end it, and
            // pass the reset on, as the peer would have seen it without us.
            var first = await Task.WhenAny(toUpstream, toClient).ConfigureAwait(false);
            if (first.IsFaulted || first.IsCanceled)
            {
                client.Abort();
                upstream.Abort();
            }
            await Task.WhenAll(toUpstream, toClient).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The relay of one client ends here; its sockets are closed below.
            // Errors are expected when a peer resets or the proxy stops.
        }
        finally
        {
            client.Dispose();
            upstream.Dispose();
            lock (_gate)
            {
                _sockets.Remove(client);
                _sockets.Remove(upstream);
            }
        }
    }

    private async Task PumpAsync(Socket from, Socket to, ChaosMode mode, bool toClient)
    {
        var chunks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true, SingleWriter = true });
        var reading = ReadAsync(from, chunks.Writer);
        var writing = WriteAsync(to, chunks.Reader, mode, toClient);
        var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
        if (first.IsFaulted || first.IsCanceled)
        {
            // Fail this direction at once, even if the other half still waits
            // (a reader blocked in Receive): the relay then aborts both sockets.
            chunks.Writer.TryComplete(first.Exception?.InnerException ?? new OperationCanceledException());
            WithinExtensions.ObserveLater(reading);
            WithinExtensions.ObserveLater(writing);
            await first.ConfigureAwait(false);
        }
        await Task.WhenAll(reading, writing).ConfigureAwait(false);
    }

    private async Task ReadAsync(Socket from, ChannelWriter<byte[]> chunks)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token).ConfigureAwait(false);
                if (n == 0)
                    break; // the sender's FIN: forwarded by the writer once the pending bytes are out
                await chunks.WriteAsync(buffer.AsSpan(0, n).ToArray(), _stopping.Token).ConfigureAwait(false);
            }
            chunks.TryComplete();
        }
        catch (Exception e)
        {
            chunks.TryComplete(e);
            throw;
        }
    }

    private async Task WriteAsync(Socket to, ChannelReader<byte[]> chunks, ChaosMode mode, bool toClient)
    {
        var token = _stopping.Token;
        while (await chunks.WaitToReadAsync(token).ConfigureAwait(false))
        {
            switch (mode)
            {
                case ChaosMode.PassThrough:
                    while (chunks.TryRead(out var chunk))
                        await SendAsync(to, chunk, toClient, token).ConfigureAwait(false);
                    break;

                case ChaosMode.OneByteAtATime:
                    while (chunks.TryRead(out var chunk))
                    {
                        for (int i = 0; i < chunk.Length; i++)
                        {
                            await SendAsync(to, chunk.AsMemory(i, 1), toClient, token).ConfigureAwait(false);
                            if (_options.BytePause > TimeSpan.Zero)
                                await Task.Delay(_options.BytePause, token).ConfigureAwait(false);
                        }
                    }
                    break;

                case ChaosMode.Coalesce:
                    await Task.Delay(_options.CoalesceWindow, token).ConfigureAwait(false);
                    var glued = new MemoryStream();
                    while (chunks.TryRead(out var chunk))
                        glued.Write(chunk);
                    await SendAsync(to, glued.GetBuffer().AsMemory(0, (int)glued.Length), toClient, token).ConfigureAwait(false);
                    break;

                default:
                    throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown chaos mode.");
            }
        }

        // The reader saw a FIN: pass it on after everything it read (RFC 9293 §3.6).
        to.Shutdown(SocketShutdown.Send);
    }

    private async Task SendAsync(Socket to, ReadOnlyMemory<byte> data, bool toClient, CancellationToken token)
    {
        Interlocked.Increment(ref toClient ? ref _sendsToClient : ref _sendsToUpstream);
        int length = data.Length;
        while (!data.IsEmpty)
        {
            int sent = await to.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            data = data[sent..];
        }
        Interlocked.Add(ref toClient ? ref _bytesToClient : ref _bytesToUpstream, length);
    }
}
