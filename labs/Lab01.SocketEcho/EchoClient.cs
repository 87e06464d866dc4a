using System.Net;
using System.Net.Sockets;

namespace Lab01.SocketEcho;

/// <summary>
/// A client of the echo server: connect, send a payload and read back its echo,
/// close with a half-close.
/// </summary>
/// <remarks>
/// Thread safety: like <see cref="System.Net.Sockets.Socket"/>, one send and one
/// receive may run at the same time; do not run two <see cref="EchoAsync"/> at once.
/// </remarks>
public sealed class EchoClient : IAsyncDisposable
{
    private bool _closed;

    private EchoClient(Socket socket) => Socket = socket;

    /// <summary>The connected socket (for the curious: LocalEndPoint, RemoteEndPoint, options).</summary>
    public Socket Socket { get; }

    /// <summary>Opens a TCP connection to <paramref name="server"/>.</summary>
    /// <exception cref="SocketException">ConnectionRefused: nothing listens there (the server's kernel answered the SYN with RST).</exception>
    public static async Task<EchoClient> ConnectAsync(IPEndPoint server, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        throw new NotImplementedException("Lab 01 · step 5: var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp); await socket.ConnectAsync(server, ct); return new EchoClient(socket) (and Dispose the socket if the connect fails). Notebook 01 §4.");
    }

    /// <summary>Sends <paramref name="payload"/> and returns the echo: exactly <c>payload.Length</c> bytes.</summary>
    /// <exception cref="EndOfStreamException">The server closed before the whole echo came back.</exception>
    public async Task<byte[]> EchoAsync(ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        var echo = new byte[payload.Length];
        throw new NotImplementedException("Lab 01 · step 5: send the payload with Socket.SendAllAsync and, AT THE SAME TIME, read exactly payload.Length bytes into echo with Socket.ReceiveExactlyAsync; await both (Task.WhenAll). One Receive is not one message. Notebook 01 §4 and §5.");
        return echo;
    }

    /// <summary>
    /// Closes politely: sends our FIN (Shutdown(Send)), reads until the server's
    /// FIN (a 0-byte read), then closes the socket. Bytes that still arrive in
    /// between are read and dropped.
    /// </summary>
    public async Task CloseAsync(CancellationToken ct = default)
    {
        if (_closed)
            return;
        throw new NotImplementedException("Lab 01 · step 5: half-close: Socket.Shutdown(SocketShutdown.Send) sends our FIN; then ReceiveAsync in a loop until it returns 0 (the server's FIN). The socket is closed after. Notebook 01 §4.");
        _closed = true;
        Socket.Dispose();
    }

    /// <summary>Closes the socket at once (close(2): a FIN, or RST if received bytes were never read). Prefer <see cref="CloseAsync"/>.</summary>
    public ValueTask DisposeAsync()
    {
        _closed = true;
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
