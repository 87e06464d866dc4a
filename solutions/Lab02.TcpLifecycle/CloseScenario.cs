using System.Net;
using System.Net.Sockets;

namespace Lab02.TcpLifecycle;

/// <summary>How the connection of <see cref="CloseScenario"/> ends.</summary>
public enum CloseForm
{
    /// <summary>
    /// Four distinct segments: the client's FIN, the server's ACK alone, then
    /// (after the server has sent more data) the server's FIN, the client's ACK.
    /// The server waits until its kernel has sent the ACK before it goes on.
    /// </summary>
    FourSegments,

    /// <summary>
    /// Three segments: the server closes as soon as it reads the end of the
    /// stream, within the time its kernel holds its ACK back (delayed ACK), so
    /// the ACK rides on the server's FIN.
    /// </summary>
    Merged,

    /// <summary>The client closes abortively (linger 0): one RST, no FIN at all.</summary>
    Reset,
}

/// <summary>A connection captured from its SYN to its last segment.</summary>
public sealed record CapturedConnection(IPEndPoint Client, IPEndPoint Server, IReadOnlyList<TcpSegment> Segments);

/// <summary>
/// A whole connection on 127.0.0.1, captured: connect, the client sends
/// "hello", then it closes in the chosen <see cref="CloseForm"/>. Every step
/// waits for its segments in the capture, so the ladder is the same each run
/// (notebook 02 §6).
/// </summary>
public static class CloseScenario
{
    /// <summary>How many times <see cref="CloseForm.Merged"/> is tried before the result is returned anyway.</summary>
    private const int MergeAttempts = 3;

    private static readonly byte[] Hello = "hello"u8.ToArray();
    private static readonly byte[] Bye = "bye"u8.ToArray();

    /// <summary>Runs the scenario; every wait is bounded by <paramref name="bound"/>.</summary>
    /// <exception cref="InvalidOperationException">Capture is not possible here (<see cref="LoopbackCapture.WhyUnavailable"/>).</exception>
    public static async Task<CapturedConnection> RunAsync(CloseForm form, TimeSpan bound)
    {
        for (int attempt = 1; ; attempt++)
        {
            var connection = await RunOnceAsync(form, bound).ConfigureAwait(false);
            // The merge is a race with the delayed-ACK timer (40 ms or more): on a
            // busy machine the server may close too late, and its ACK goes alone.
            if (form != CloseForm.Merged || IsMerged(connection) || attempt == MergeAttempts)
                return connection;
        }
    }

    /// <summary>True when the server's first segment after the client's FIN carries the server's FIN.</summary>
    private static bool IsMerged(CapturedConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var segments = connection.Segments;
        int fin = segments.ToList().FindIndex(s => s.Source.Equals(connection.Client) && s.Has(TcpFlags.Fin));
        var answer = segments.Skip(fin + 1).FirstOrDefault(s => s.Source.Equals(connection.Server));
        return fin >= 0 && answer is not null && answer.Has(TcpFlags.Fin | TcpFlags.Ack);
    }

    private static async Task<CapturedConnection> RunOnceAsync(CloseForm form, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        var ct = deadline.Token;
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var serverEnd = (IPEndPoint)listener.LocalEndPoint!;
        using var capture = LoopbackCapture.Start(serverEnd.Port);

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await client.ConnectAsync(serverEnd, ct).ConfigureAwait(false);
        using var server = await listener.AcceptAsync(ct).ConfigureAwait(false);
        var clientEnd = (IPEndPoint)client.LocalEndPoint!;

        // The first captured segment that matches, once it is there.
        async Task<TcpSegment> Seen(Func<TcpSegment, bool> match, string what) =>
            (await capture.WaitForAsync(all => all.Any(match), bound, what).ConfigureAwait(false)).First(match);
        Func<TcpSegment, bool> From(IPEndPoint sender, TcpFlags flags) => s => s.Source.Equals(sender) && s.Has(flags);
        Func<TcpSegment, bool> AckOf(TcpSegment sent) =>
            s => s.Destination.Equals(sent.Source) && s.Has(TcpFlags.Ack) && s.AcknowledgmentNumber == sent.NextSequenceNumber;

        await client.SendAsync(Hello, SocketFlags.None, ct).ConfigureAwait(false);
        await ReceiveAsync(server, Hello.Length, ct).ConfigureAwait(false);
        var hello = await Seen(s => s.Source.Equals(clientEnd) && s.Payload.Length > 0, "\"hello\"").ConfigureAwait(false);
        await Seen(AckOf(hello), "the server's ACK of \"hello\"").ConfigureAwait(false);

        if (form == CloseForm.Reset)
        {
            AbortiveClose.Reset(client);
            await Seen(From(clientEnd, TcpFlags.Rst), "the client's RST").ConfigureAwait(false);
            return new CapturedConnection(clientEnd, serverEnd, capture.Segments);
        }

        client.Shutdown(SocketShutdown.Send); // FIN M
        if (form == CloseForm.Merged)
        {
            // Synchronous, on this thread, with nothing in between: read the end of
            // the stream and close at once, while the server's kernel still holds
            // back its ACK of the client's FIN (RFC 9293 §3.8.6.3: an ACK may be
            // delayed; Linux waits 40 ms or more); our FIN then carries it.
            server.ReceiveTimeout = (int)bound.TotalMilliseconds;
            if (server.Receive(new byte[16]) != 0)
                throw new InvalidOperationException("The server expected the client's FIN, and got data.");
            server.Shutdown(SocketShutdown.Send); // FIN N, ACK M+1
        }
        else
        {
            await ReceiveEndAsync(server, ct).ConfigureAwait(false);
            var fin = await Seen(From(clientEnd, TcpFlags.Fin), "the client's FIN").ConfigureAwait(false);
            // The passive side waits: its kernel sends the ACK of the FIN alone.
            await Seen(AckOf(fin), "the server's ACK of the client's FIN (a delayed ACK: 40 ms or more)").ConfigureAwait(false);
            // Half-closed: the server may still send, and the client still receives.
            await server.SendAsync(Bye, SocketFlags.None, ct).ConfigureAwait(false);
            await ReceiveAsync(client, Bye.Length, ct).ConfigureAwait(false);
            var bye = await Seen(s => s.Source.Equals(serverEnd) && s.Payload.Length > 0, "\"bye\"").ConfigureAwait(false);
            await Seen(AckOf(bye), "the client's ACK of \"bye\"").ConfigureAwait(false);
            server.Shutdown(SocketShutdown.Send); // FIN N
        }

        await ReceiveEndAsync(client, ct).ConfigureAwait(false); // the server's FIN
        var serverFin = await Seen(From(serverEnd, TcpFlags.Fin), "the server's FIN").ConfigureAwait(false);
        await Seen(AckOf(serverFin), "the client's ACK of the server's FIN").ConfigureAwait(false);
        return new CapturedConnection(clientEnd, serverEnd, capture.Segments);
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes.</summary>
    private static async Task ReceiveAsync(Socket socket, int count, CancellationToken ct)
    {
        var buffer = new byte[count];
        for (int filled = 0; filled < count;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, ct).ConfigureAwait(false);
            filled += n > 0 ? n : throw new InvalidOperationException($"The peer closed after {filled} of {count} bytes.");
        }
    }

    /// <summary>Waits for the end of the stream: a receive of 0 bytes, the peer's FIN.</summary>
    private static async Task ReceiveEndAsync(Socket socket, CancellationToken ct)
    {
        if (await socket.ReceiveAsync(new byte[16], SocketFlags.None, ct).ConfigureAwait(false) != 0)
            throw new InvalidOperationException("Expected the peer's FIN (a receive of 0 bytes), and got data.");
    }
}
