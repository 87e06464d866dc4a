using System.Net;
using System.Net.Sockets;

namespace Lab02.TcpLifecycle;

/// <summary>
/// The two calls that open a connection, and the segments behind them
/// (RFC 9293 §3.5, the three-way handshake; notebook 02 §2):
/// <code>
/// client                          server (listening)
/// connect() ── SYN J ───────────▶  the kernel answers by itself
///           ◀─ SYN K, ACK J+1 ──
/// returns   ── ACK K+1 ─────────▶  the connection joins the backlog
///                                  accept() takes it, later or never
/// </code>
/// </summary>
public static class Handshake
{
    /// <summary>
    /// A socket listening on <paramref name="endpoint"/> (port 0: any free port; read
    /// the real one from <see cref="Socket.LocalEndPoint"/>), whose kernel completes
    /// up to about <paramref name="backlog"/> handshakes that nobody has accepted yet.
    /// </summary>
    public static Socket Listen(IPEndPoint endpoint, int backlog)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(backlog);
        // BEGIN SOLUTION
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endpoint);
            // listen(2): from now on the kernel answers a SYN with SYN+ACK and, on
            // the final ACK, puts the connection in the accept queue (the backlog).
            // No accept() is involved in the handshake at all.
            listener.Listen(backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return listener;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 02 · step 1: var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp); listener.Bind(endpoint); listener.Listen(backlog); return listener (Dispose it if Bind or Listen throws). From Listen on, the kernel answers SYNs by itself. Notebook 02 §2, RFC 9293 §3.5.");
    }

    /// <summary>
    /// Opens a connection to <paramref name="server"/>: sends SYN and returns once
    /// the server's SYN+ACK has come back (the kernel sends the final ACK). The
    /// server's program need not have called Accept.
    /// </summary>
    /// <exception cref="SocketException">ConnectionRefused: nothing listens there (the server's kernel answered the SYN with RST).</exception>
    public static async Task<Socket> ConnectAsync(IPEndPoint server, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        // BEGIN SOLUTION
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // connect(2): SYN_SENT until the SYN+ACK arrives, then ESTABLISHED.
            await socket.ConnectAsync(server, ct).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return socket;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 02 · step 1: var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp); await socket.ConnectAsync(server, ct); return socket (Dispose it if the connect fails). ConnectAsync returns after the server's SYN+ACK, Accept or not. Notebook 02 §2, RFC 9293 §3.5.");
    }
}
