using System.Net.Sockets;

namespace Lab06.WebSocketServer;

/// <summary>Handles one received message. The next one is read only when this returns (back-pressure).</summary>
public delegate ValueTask MessageHandler(WebSocketConnection connection, Message message, CancellationToken cancellation);

/// <summary>Who started the end of a connection.</summary>
public enum ClosedBy
{
    /// <summary>The peer sent the first close frame.</summary>
    Peer,
    /// <summary>This end sent the first close frame, or failed the connection.</summary>
    Local,
    /// <summary>Nobody: TCP ended without a closing handshake (1006).</summary>
    Transport,
}

/// <summary>How a connection ended, as the browser's CloseEvent tells it: code, reason, wasClean.</summary>
/// <param name="Code">The code of the close that started the end: the peer's (1005 when its close had none), or this end's (its close, or its failure; <paramref name="WasClean"/> is false when the peer never answered it); 1006 when TCP ended with no close frame.</param>
/// <param name="Reason">The reason that went with <paramref name="Code"/>.</param>
/// <param name="WasClean">Both close frames went (RFC 6455 §7.1.4 "cleanly").</param>
/// <param name="By">Who started it.</param>
/// <param name="Error">What went wrong here, for the log only (never sent to the peer).</param>
/// <param name="Received">The peer's close frame, if one came: what a client reports as its close code and reason (RFC 6455 §7.1.5-§7.1.6; Lab 07).</param>
public sealed record ConnectionClosed(int Code, string Reason, bool WasClean, ClosedBy By, Exception? Error = null, CloseStatus? Received = null)
{
    public override string ToString() =>
        $"{Code} {CloseCodes.Describe(Code)}{(Reason.Length > 0 ? $" \"{Reason}\"" : "")}, {(WasClean ? "clean" : "not clean")}, " +
        By switch { ClosedBy.Peer => "closed by the peer", ClosedBy.Local => "closed by this end", _ => "TCP ended with no closing handshake" };
}

/// <summary>Sending on a connection that is closing or closed.</summary>
public sealed class WebSocketClosedException(string message) : InvalidOperationException(message);

/// <summary>
/// One WebSocket connection over a <see cref="Stream"/>: a receive loop that
/// feeds <see cref="WebSocketProtocol"/>, one writer that drains a
/// <see cref="SendQueue"/>, a <see cref="Keepalive"/>, and the closing
/// handshake with its timeout. The same pump serves a server (Lab 06) and a
/// client (Lab 07): only the masking direction, given by <see cref="Role"/>,
/// and who closes TCP first differ.
/// </summary>
/// <remarks>
/// <para>Thread safety: <see cref="RunAsync"/> once; while it runs, any
/// number of threads may call <see cref="SendAsync"/>, <see cref="TrySend"/>,
/// <see cref="CloseAsync(CloseStatus)"/> and <see cref="Abort"/> at once.
/// Concurrent sends are queued whole and in order, never interleaved, and
/// never an exception for being concurrent.</para>
/// <para>Files: WebSocketConnection.Receive.cs (the read loop),
/// WebSocketConnection.Send.cs (the writer), WebSocketConnection.Close.cs
/// (closing and its timeout), Keepalive.cs (pings).</para>
/// </remarks>
public sealed partial class WebSocketConnection
{
    private readonly Stream stream;
    private readonly WebSocketProtocol protocol;
    private readonly SendQueue queue;
    private readonly object gate = new();                   // guards protocol, and the queue's order with it
    private readonly CancellationTokenSource transport = new(); // cancelled when the transport is given up
    private readonly TaskCompletionSource<ConnectionClosed> completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ReadOnlyMemory<byte> received;                  // bytes that came behind the handshake
    private int started;

    /// <summary>A connection over <paramref name="stream"/> whose handshake is done.</summary>
    /// <param name="stream">The byte stream: a NetworkStream (an SslStream in Lab 09). The connection disposes it.</param>
    /// <param name="role">Server or Client: which frames must be masked.</param>
    /// <param name="options">Limits and timers; <see cref="WebSocketOptions.Default"/> when null.</param>
    /// <param name="received">Bytes that arrived behind the handshake: the start of the first frames.</param>
    /// <param name="remote">The peer's address, for logs.</param>
    /// <param name="path">The path of the handshake request ("/echo").</param>
    /// <param name="subprotocol">The subprotocol agreed in the handshake, if any.</param>
    public WebSocketConnection(Stream stream, Role role, WebSocketOptions? options = null, ReadOnlyMemory<byte> received = default,
        string remote = "", string path = "/", string? subprotocol = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        this.stream = stream;
        this.received = received;
        Role = role;
        Options = options ?? WebSocketOptions.Default;
        protocol = new WebSocketProtocol(role, Options.Limits);
        queue = new SendQueue(Options.MaxBufferedBytes);
        Remote = remote;
        Path = path;
        Subprotocol = subprotocol;
        Keepalive = new Keepalive(Options.KeepAliveInterval, Options.KeepAliveTimeout, Options.Time);
    }

    /// <summary>A unique id, for the pool, the logs and the chat (a random UUID, RFC 9562 §5.4).</summary>
    public Guid Id { get; } = Guid.NewGuid();

    /// <summary>The first 8 hex digits of <see cref="Id"/>, for people to read.</summary>
    public string ShortId => Id.ToString("N")[..8];

    /// <summary>Server or Client.</summary>
    public Role Role { get; }

    /// <summary>The options in force.</summary>
    public WebSocketOptions Options { get; }

    /// <summary>The peer's address.</summary>
    public string Remote { get; }

    /// <summary>The path of the handshake request.</summary>
    public string Path { get; }

    /// <summary>The subprotocol agreed in the handshake, or null.</summary>
    public string? Subprotocol { get; }

    /// <summary>The pings and their round trips.</summary>
    public Keepalive Keepalive { get; }

    /// <summary>Open, Closing or Closed (numbered as the browser's readyState).</summary>
    public ConnectionState State
    {
        get
        {
            lock (gate)
                return protocol.State;
        }
    }

    /// <summary>Payload bytes queued and not yet handed to the stream (the browser's bufferedAmount).</summary>
    public long BufferedAmount => queue.BufferedAmount;

    /// <summary>Completes when the connection has ended, with how it ended.</summary>
    public Task<ConnectionClosed> Completion => completion.Task;

    /// <summary>
    /// Runs the connection until it ends: reads, answers control frames,
    /// gives each message to <paramref name="onMessage"/>, writes what is
    /// sent, pings, and closes. Never throws for what the peer does; the
    /// result says how it ended. <paramref name="cancellation"/> drops the
    /// connection at once (use <see cref="CloseAsync(CloseStatus)"/> to close it politely).
    /// </summary>
    public async Task<ConnectionClosed> RunAsync(MessageHandler onMessage, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        if (Interlocked.Exchange(ref started, 1) != 0)
            throw new InvalidOperationException("RunAsync was already called on this connection.");
        using var stop = cancellation.Register(Abort);
        var writer = Task.Run(async () =>
        {
            try
            {
                await WriteLoopAsync().ConfigureAwait(false);
                // The close frame is out: close our side of TCP now if that is
                // ours to do, even while the read loop still waits for bytes
                // (a keepalive timeout, a slow reader).
                CloseOutputIfOurs();
            }
            catch (Exception)
            {
                Abort(); // a write failed: the peer is gone, and the reads must end too
                throw;
            }
        }, CancellationToken.None);
        var pinger = Keepalive.RunAsync(this, transport.Token);
        Exception? error = null;
        try
        {
            await ReceiveLoopAsync(onMessage).ConfigureAwait(false);
            await FinishAsync(writer).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransportError(e))
        {
            // The peer reset, the close timeout fired, or the connection was aborted: nothing more to say to it.
        }
        catch (Exception e)
        {
            error = e; // a bug here: log it (the server does), and end this connection only
        }
        finally
        {
            Abort();
            closeTimer?.Dispose();
            lock (gate)
                protocol.TransportClosed();
            queue.Complete(); // what was never written stays in BufferedAmount, as in the browser
        }
        await Task.WhenAll(Quietly(writer), Quietly(pinger)).ConfigureAwait(false);
        var result = Outcome(error);
        completion.TrySetResult(result);
        return result;
    }

    /// <summary>
    /// Fails the connection (RFC 6455 §7.1.7) for a reason of this end's:
    /// a <see cref="WebSocketCloseException"/> sends its status, anything
    /// else 1011. The peer then has the close timeout to go.
    /// </summary>
    public void Fail(Exception cause)
    {
        lock (gate)
        {
            protocol.Fail(cause);
            FlushProtocolLocked();
        }
    }

    /// <summary>Drops the connection now, with no closing handshake: closes the stream, which ends every read and write.</summary>
    public void Abort()
    {
        try
        {
            transport.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            stream.Dispose();
        }
        catch (Exception)
        {
            // Disposing a stream whose socket already failed may throw; it is closed either way.
        }
    }

    /// <summary>Moves the frames the protocol decided (pongs, closes) into the send queue, in order. Call under <see cref="gate"/>.</summary>
    private void FlushProtocolLocked()
    {
        if (!protocol.HasFramesToSend)
            return;
        foreach (var frame in protocol.TakeFramesToSend())
        {
            queue.Enqueue(frame);
            if (frame.Opcode == Opcode.Close)
            {
                // §5.5.1: nothing may follow a close frame; and from now on the peer has CloseTimeout to finish.
                queue.Complete();
                StartCloseTimer();
            }
        }
    }

    private ConnectionClosed Outcome(Exception? error)
    {
        lock (gate)
        {
            error ??= protocol.Failure is { } failure and not WebSocketProtocolException and not WebSocketCloseException ? failure : null;
            if (protocol.Failure is not null && protocol.CloseSent is { } sent)
                return new ConnectionClosed(sent.ReportedCode, sent.Reason, WasClean: false, ClosedBy.Local, error ?? protocol.Failure, protocol.CloseReceived);
            if (closedFirstHere && protocol.CloseSent is { } ours)
            {
                // This end started it: its code says why (1001 on shutdown, 1008 for a slow reader).
                bool answered = protocol.CloseReceived is not null && closeFrameWritten;
                return new ConnectionClosed(ours.ReportedCode, ours.Reason, answered, ClosedBy.Local, error, protocol.CloseReceived);
            }
            if (protocol.CloseReceived is { } got)
                return new ConnectionClosed(got.ReportedCode, got.Reason, closeFrameWritten, ClosedBy.Peer, error, got);
            return new ConnectionClosed((int)CloseCode.AbnormalClosure, "", WasClean: false, ClosedBy.Transport, error);
        }
    }

    private static bool IsTransportError(Exception e) =>
        e is IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already accounted for: the connection is over.
        }
    }
}
