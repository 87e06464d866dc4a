using System.Net.Sockets;

namespace Lab06.WebSocketServer;

/// <summary>The end of a connection: the closing handshake (RFC 6455 §7), bounded in time.</summary>
public sealed partial class WebSocketConnection
{
    private ITimer? closeTimer;
    private bool closedFirstHere;

    /// <summary>
    /// Starts the closing handshake with <paramref name="status"/> and
    /// returns when the connection has ended: the peer answered with its
    /// close and TCP closed, or <see cref="WebSocketOptions.CloseTimeout"/>
    /// ran out and the connection was dropped. Calling it again, or after
    /// the peer's close, only waits. Throws ArgumentException for a code
    /// that may not be sent or a reason over 123 UTF-8 bytes.
    /// </summary>
    public Task<ConnectionClosed> CloseAsync(CloseStatus status)
    {
        // BEGIN SOLUTION
        lock (gate)
        {
            if (protocol.Close(status))
            {
                closedFirstHere = true;
                FlushProtocolLocked(); // queues the close frame, completes the queue, starts the close timer
            }
        }
        return Completion;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 10: under lock (gate): if protocol.Close(status) queued a close frame, set closedFirstHere = true and FlushProtocolLocked() (which queues it, completes the send queue and starts the close timer). Return Completion: the receive loop sees the peer's close, FinishAsync closes TCP. Notebook 06 §4, RFC 6455 §7.1.2.");
    }

    /// <summary>Same as <see cref="CloseAsync(CloseStatus)"/>.</summary>
    public Task<ConnectionClosed> CloseAsync(CloseCode code, string reason = "") => CloseAsync(new CloseStatus(code, reason));

    /// <summary>
    /// From the first close frame on, the peer has
    /// <see cref="WebSocketOptions.CloseTimeout"/> to complete the handshake
    /// and end TCP; then this end drops the connection (a silent peer must
    /// not hold it for ever).
    /// </summary>
    private void StartCloseTimer()
    {
        if (closeTimer is null && WebSocketOptions.IsOn(Options.CloseTimeout))
            closeTimer = Options.Time.CreateTimer(_ => Abort(), null, Options.CloseTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// After the read loop: the close frame is queued (or the peer ended
    /// TCP). Wait for the writer to send it; then a server, or an end that
    /// failed the connection, closes its side of TCP first (§7.1.1, §7.1.7)
    /// and reads until the peer's FIN, all within the close timeout.
    /// </summary>
    private async Task FinishAsync(Task writer)
    {
        lock (gate)
        {
            if (protocol.State == ConnectionState.Closed)
                return; // EOF: the peer is gone already
            StartCloseTimer();
        }
        queue.Complete();
        await writer.ConfigureAwait(false); // the close frame is out
        CloseOutputIfOurs(); // the handshake may have completed since the writer ended
        // Drain until the peer's FIN: what it still sends is not processed (§1.4 "discards any further data", §7.1.7).
        var sink = new byte[256];
        for (int total = 0; total < 1 << 20;)
        {
            int n = await stream.ReadAsync(sink, transport.Token).ConfigureAwait(false);
            if (n == 0)
                return;
            total += n;
        }
    }

    /// <summary>
    /// Sends FIN ("close the underlying TCP connection" from our side; reads go
    /// on until the peer's FIN) once that is this end's to do: a server after
    /// the closing handshake (§7.1.1), either end after failing (§7.1.7). A
    /// client waits for the server's FIN instead. Safe to call many times.
    /// </summary>
    private void CloseOutputIfOurs()
    {
        lock (gate)
        {
            if (!protocol.ShouldCloseTransport)
                return;
        }
        if (Interlocked.Exchange(ref outputShut, 1) != 0)
            return;
        try
        {
            if (stream is NetworkStream network)
                network.Socket.Shutdown(SocketShutdown.Send);
            // Another stream (TLS, Lab 09) has no half-close of its own: the final Abort closes it.
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset or closed.
        }
    }

    private int outputShut;
}
