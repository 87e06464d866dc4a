using System.Collections.Concurrent;

namespace Lab06.WebSocketServer;

/// <summary>What <see cref="ConnectionPool.Broadcast"/> did.</summary>
/// <param name="Queued">Connections the message was queued on.</param>
/// <param name="Skipped">Connections already closing.</param>
/// <param name="Dropped">Connections too slow to keep up, now being closed with 1008.</param>
public readonly record struct BroadcastResult(int Queued, int Skipped, int Dropped);

/// <summary>
/// The open connections, each under its <see cref="WebSocketConnection.Id"/>
/// (a UUID): for bookkeeping (a count, open and close events) and for
/// broadcast. Thread-safe: connections come and go on many threads.
/// </summary>
public sealed class ConnectionPool
{
    private readonly ConcurrentDictionary<Guid, WebSocketConnection> connections = new();

    /// <summary>The close status sent to a client that cannot keep up with broadcast (notebook 06 §7 argues for 1008).</summary>
    public static readonly CloseStatus TooSlow = new(CloseCode.PolicyViolation, "too slow: messages are waiting unread");

    /// <summary>Raised after a connection joined the pool.</summary>
    public event Action<WebSocketConnection>? Opened;

    /// <summary>Raised after a connection left the pool, with how it ended.</summary>
    public event Action<WebSocketConnection, ConnectionClosed>? Closed;

    /// <summary>Connections in the pool now.</summary>
    public int Count => connections.Count;

    /// <summary>A snapshot of the connections.</summary>
    public IReadOnlyCollection<WebSocketConnection> Connections => connections.Values.ToArray();

    /// <summary>The connection with <paramref name="id"/>, if it is in the pool.</summary>
    public WebSocketConnection? Find(Guid id) => connections.TryGetValue(id, out var c) ? c : null;

    /// <summary>
    /// Runs <paramref name="connection"/> as a member of the pool: it joins,
    /// <paramref name="onMessage"/> gets its messages, and it leaves when it
    /// ends, whatever the way (a clean close, a reset, a failure). Returns how it ended.
    /// </summary>
    public async Task<ConnectionClosed> RunAsync(WebSocketConnection connection, MessageHandler onMessage, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Add(connection);
        ConnectionClosed closed;
        try
        {
            closed = await connection.RunAsync(onMessage, cancellation).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // RunAsync does not throw for what the peer does; this is a bug, and the pool must still let go.
            closed = new ConnectionClosed((int)CloseCode.AbnormalClosure, "", false, ClosedBy.Transport, e);
        }
        Remove(connection, closed);
        return closed;
    }

    /// <summary>Adds a connection that someone else runs; <see cref="Remove"/> it when it ends.</summary>
    public void Add(WebSocketConnection connection)
    {
        if (!connections.TryAdd(connection.Id, connection))
            throw new InvalidOperationException($"Connection {connection.Id} is already in the pool.");
        Raise(() => Opened?.Invoke(connection));
    }

    /// <summary>Removes a connection added with <see cref="Add"/>, raising <see cref="Closed"/>. False when it was not in the pool.</summary>
    public bool Remove(WebSocketConnection connection, ConnectionClosed closed)
    {
        if (!connections.TryRemove(connection.Id, out _))
            return false;
        Raise(() => Closed?.Invoke(connection, closed));
        return true;
    }

    /// <summary>
    /// Queues <paramref name="message"/> on every open connection (those
    /// <paramref name="where"/> picks, when given), without waiting for any of them. One that
    /// already has <see cref="WebSocketOptions.MaxBufferedBytes"/> waiting
    /// cannot keep up: it is closed with <see cref="TooSlow"/> instead, so
    /// that one slow or dead reader never holds up the others, and never makes
    /// the server hold an ever-growing queue for it.
    /// </summary>
    public BroadcastResult Broadcast(Message message, Func<WebSocketConnection, bool>? where = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        // BEGIN SOLUTION
        int queued = 0, skipped = 0, dropped = 0;
        foreach (var connection in connections.Values)
        {
            if (where is not null && !where(connection))
                continue;
            switch (connection.TrySend(message))
            {
                case SendResult.Queued:
                    queued++;
                    break;
                case SendResult.Closed:
                    skipped++;
                    break;
                case SendResult.Full:
                    dropped++;
                    _ = connection.CloseAsync(TooSlow);
                    break;
            }
        }
        return new BroadcastResult(queued, skipped, dropped);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 12: for each connection in connections.Values that where (when not null) picks: connection.TrySend(message), never SendAsync (one slow reader must not stall the rest). Queued: count it. Closed: count it as skipped. Full: count it as dropped and start closing it with TooSlow (_ = connection.CloseAsync(TooSlow); its close timeout drops it if it never reads). Return the counts. Notebook 06 §7.");
    }

    /// <summary>
    /// Closes every connection with <paramref name="status"/> (1001 when the
    /// server goes away) and waits until all have ended or
    /// <paramref name="timeout"/> ran out; then drops those left. Returns how many were open.
    /// </summary>
    public async Task<int> CloseAllAsync(CloseStatus status, TimeSpan timeout)
    {
        var open = connections.Values.ToArray();
        var ends = open.Select(c => c.CloseAsync(status)).ToArray();
        try
        {
            await Task.WhenAll(ends).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var connection in open)
                connection.Abort();
        }
        return open.Length;
    }

    private static void Raise(Action raise)
    {
        try
        {
            raise();
        }
        catch (Exception)
        {
            // A listener's failure never changes what happens to the connections.
        }
    }
}
