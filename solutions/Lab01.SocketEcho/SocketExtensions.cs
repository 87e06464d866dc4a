using System.Net.Sockets;

namespace Lab01.SocketEcho;

/// <summary>
/// The two loops every socket program needs, because send and receive may do
/// less than asked: send(2) may take only part of the buffer, recv(2) returns
/// whatever has arrived (TCP is a byte stream, RFC 9293 §2.2).
/// </summary>
public static class SocketExtensions
{
    /// <summary>Sends every byte of <paramref name="data"/>, calling Send as many times as it takes.</summary>
    public static async Task SendAllAsync(this Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        // BEGIN SOLUTION
        while (!data.IsEmpty)
        {
            int sent = await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            data = data[sent..];
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 3: send may take fewer bytes than you give it: loop while data is not empty: int sent = await socket.SendAsync(data, SocketFlags.None, ct); data = data[sent..]. Notebook 01 §5.");
    }

    /// <summary>
    /// The remote end as text for logs, "127.0.0.1:51234", and never an
    /// exception: a socket that was reset, or closed by a stop, has no remote
    /// end left to ask for.
    /// </summary>
    public static string PeerName(this Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            return socket.RemoteEndPoint?.ToString() ?? "(unknown peer)";
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return "(a peer already gone)";
        }
    }

    /// <summary>Fills <paramref name="buffer"/> completely, calling Receive as many times as it takes.</summary>
    /// <exception cref="EndOfStreamException">The peer closed (0-byte read) before the buffer was full; the message says after how many bytes.</exception>
    public static async Task ReceiveExactlyAsync(this Socket socket, Memory<byte> buffer, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        int filled = 0;
        // BEGIN SOLUTION
        while (filled < buffer.Length)
        {
            int received = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, ct).ConfigureAwait(false);
            if (received == 0)
                throw new EndOfStreamException($"The peer closed after {filled} of {buffer.Length} bytes (a 0-byte read: its FIN).");
            filled += received;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 5: loop until buffer is full: int n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, ct); n == 0 means the peer closed: throw new EndOfStreamException($\"The peer closed after {filled} of {buffer.Length} bytes.\"); else filled += n. Notebook 01 §5.");
    }
}
