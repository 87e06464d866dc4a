using System.Net;
using System.Net.Sockets;

namespace Course.Testing;

/// <summary>How a peer ended a connection, as seen by the reader.</summary>
public enum PeerClose
{
    /// <summary>An orderly close: a 0-byte read, the peer's FIN (RFC 9293 §3.6).</summary>
    Fin,

    /// <summary>An abortive close: the peer sent RST, the read failed with "connection reset".</summary>
    Reset,
}

/// <summary>
/// Raw-socket helpers for tests on 127.0.0.1, every wait bounded and every
/// timeout named: connect, send, receive a number of bytes, receive until the
/// peer's FIN.
/// </summary>
/// <remarks>
/// Tests use these instead of the lab's own client so that a test of the
/// server does not depend on the learner's client, and the other way round.
/// </remarks>
public static class Loopback
{
    /// <summary>The bound used when a call gives none: 5 s, far above what loopback needs.</summary>
    public static readonly TimeSpan DefaultBound = TimeSpan.FromSeconds(5);

    /// <summary>127.0.0.1 port 0: "any free port", which the OS picks at Bind; read it back from LocalEndPoint.</summary>
    public static IPEndPoint AnyPort() => new(IPAddress.Loopback, 0);

    /// <summary>Connects a new TCP socket (NoDelay on) to <paramref name="endpoint"/> within the bound.</summary>
    /// <exception cref="TimeoutException">No answer within the bound; the message names the endpoint.</exception>
    /// <exception cref="IOException">The connection was refused or failed; the message names the endpoint.</exception>
    public static async Task<Socket> ConnectAsync(IPEndPoint endpoint, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await Bounded.RunAsync(bound ?? DefaultBound, $"a TCP connection to {endpoint}",
                ct => socket.ConnectAsync(endpoint, ct).AsTask()).ConfigureAwait(false);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException(
                $"Could not connect to {endpoint}: {e.SocketErrorCode} ({e.Message}). " +
                "Is a server listening there (socket, Bind, Listen)?", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends every byte of <paramref name="data"/> (looping over partial sends) within the bound.</summary>
    /// <param name="socket">A connected socket.</param>
    /// <param name="data">The bytes.</param>
    /// <param name="bound">Default <see cref="DefaultBound"/>.</param>
    /// <param name="what">What the timeout message says is awaited.</param>
    /// <param name="context">More for the timeout message (a server's log).</param>
    public static Task SendBytesAsync(this Socket socket, ReadOnlyMemory<byte> data, TimeSpan? bound = null, string? what = null, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return Bounded.RunAsync(bound ?? DefaultBound, what ?? $"{data.Length} bytes to be sent", async ct =>
        {
            while (!data.IsEmpty)
            {
                int sent = await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
                data = data[sent..];
            }
        }, context);
    }

    /// <summary>
    /// Receives exactly <paramref name="count"/> bytes within the bound.
    /// </summary>
    /// <exception cref="EndOfStreamException">The peer closed first; the message says how many bytes came and shows them.</exception>
    /// <exception cref="TimeoutException">Not all bytes came in time; the message says how many did.</exception>
    public static async Task<byte[]> ReceiveBytesAsync(this Socket socket, int count, TimeSpan? bound = null, string? what = null, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var buffer = new byte[count];
        int filled = 0;
        what ??= $"{count} bytes";
        await Bounded.RunAsync(bound ?? DefaultBound, what, async ct =>
        {
            while (filled < count)
            {
                int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                    throw new EndOfStreamException(Join(
                        $"Waiting for {what}: the peer closed (0-byte read, its FIN) after {filled} of {count} bytes: " +
                        $"\"{Visible.Escape(buffer.AsSpan(0, filled), 80)}\".", context));
                filled += n;
            }
        }, () => Join($"{filled} of {count} bytes had arrived: \"{Visible.Escape(buffer.AsSpan(0, filled), 80)}\".", context)).ConfigureAwait(false);
        return buffer;
    }

    /// <summary>
    /// Receives until the peer's FIN (a 0-byte read), at most <paramref name="maxBytes"/> bytes, within the bound.
    /// </summary>
    /// <exception cref="InvalidDataException">More than <paramref name="maxBytes"/> bytes came without a FIN.</exception>
    /// <exception cref="TimeoutException">No FIN within the bound; the message shows what came.</exception>
    public static async Task<byte[]> ReceiveToEndAsync(this Socket socket, int maxBytes, TimeSpan? bound = null, string? what = null, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var received = new MemoryStream();
        var buffer = new byte[Math.Min(64 * 1024, maxBytes + 1)];
        what ??= "the peer's FIN (a 0-byte read)";
        await Bounded.RunAsync(bound ?? DefaultBound, what, async ct =>
        {
            while (true)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                    return;
                received.Write(buffer, 0, n);
                if (received.Length > maxBytes)
                    throw new InvalidDataException(Join(
                        $"Waiting for {what}: more than {maxBytes} bytes arrived and no FIN: " +
                        $"\"{Visible.Escape(received.GetBuffer().AsSpan(0, (int)received.Length), 80)}\".", context));
            }
        }, () => Join($"{received.Length} bytes had arrived: \"{Visible.Escape(received.GetBuffer().AsSpan(0, (int)received.Length), 80)}\".", context)).ConfigureAwait(false);
        return received.ToArray();
    }

    /// <summary>
    /// Reads and discards until the peer closes, and says how: FIN (0-byte read) or RST (connection reset).
    /// </summary>
    public static async Task<PeerClose> WaitForCloseAsync(this Socket socket, TimeSpan? bound = null, string? what = null, Func<string>? context = null, int maxBytes = 1 << 20)
    {
        try
        {
            await socket.ReceiveToEndAsync(maxBytes, bound, what ?? "the peer to close the connection (FIN or RST)", context).ConfigureAwait(false);
            return PeerClose.Fin;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return PeerClose.Reset;
        }
    }

    private static string Join(string first, Func<string>? context) =>
        context?.Invoke() is { Length: > 0 } more ? first + Environment.NewLine + more : first;

    /// <summary>
    /// Closes <paramref name="socket"/> abortively: SO_LINGER on with a 0 s timeout makes close(2) send RST
    /// instead of FIN and drop unsent data (RFC 9293 §3.6's ABORT; socket(7), SO_LINGER).
    /// </summary>
    public static void Abort(this Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        try
        {
            socket.LingerState = new LingerOption(enable: true, seconds: 0);
        }
        catch (SocketException)
        {
            // Already reset or closed by the peer: closing is all that is left.
        }
        socket.Dispose();
    }
}
