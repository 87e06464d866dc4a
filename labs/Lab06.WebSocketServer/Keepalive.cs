using System.Buffers.Binary;

namespace Lab06.WebSocketServer;

/// <summary>
/// Pings on a timer and notices a peer that stopped answering (RFC 6455
/// §5.5.2: a ping "may serve either as a keepalive or as a means to verify
/// that the remote endpoint is still responsive"). Each ping carries a
/// counter (8 bytes, big-endian), so the pong that answers it is known: a
/// stale pong, or an unsolicited one (§5.5.3), does not count as an answer.
/// A pong that does not come within the timeout fails the connection with
/// 1011 (notebook 06 §6 argues for it).
/// </summary>
/// <remarks>Thread-safe: the timer loop and the receive loop both call it.</remarks>
public sealed class Keepalive(TimeSpan interval, TimeSpan timeout, TimeProvider time)
{
    private readonly object gate = new();
    private ulong counter;
    private ulong? awaited;       // the counter of the ping not yet answered
    private long sentAt;
    private TaskCompletionSource? answered;

    /// <summary>The time between pings; infinite or zero: no pings.</summary>
    public TimeSpan Interval { get; } = interval;

    /// <summary>How long a pong may take.</summary>
    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Pings sent.</summary>
    public ulong PingsSent { get { lock (gate) return counter; } }

    /// <summary>The round trip of the last answered ping.</summary>
    public TimeSpan? LastRoundTrip { get; private set; }

    /// <summary>The payload of the next ping: the next counter value. Starts waiting for its pong.</summary>
    public byte[] NextPing()
    {
        throw new NotImplementedException("Lab 06 · step 11: under lock (gate): counter++; awaited = counter; sentAt = time.GetTimestamp(); answered = a new TaskCompletionSource (RunContinuationsAsynchronously); return the counter as 8 big-endian bytes (BinaryPrimitives.WriteUInt64BigEndian). Notebook 06 §6, RFC 6455 §5.5.2.");
    }

    /// <summary>A pong arrived. True when it answers the ping awaited (same counter); other pongs change nothing.</summary>
    public bool OnPong(ReadOnlySpan<byte> payload)
    {
        throw new NotImplementedException("Lab 06 · step 11: under lock (gate): only a payload of 8 bytes whose big-endian value is the awaited counter answers the ping (anything else: return false, §5.5.3); then awaited = null, LastRoundTrip = time.GetElapsedTime(sentAt), answered?.TrySetResult(), return true. Notebook 06 §6.");
    }

    /// <summary>True while a ping waits for its pong.</summary>
    public bool IsAwaitingPong { get { lock (gate) return awaited is not null; } }

    /// <summary>
    /// The timer: every <see cref="Interval"/>, a ping; when its pong does not
    /// come within <see cref="Timeout"/>, the connection fails with 1011.
    /// Ends when the connection is no longer open.
    /// </summary>
    internal async Task RunAsync(WebSocketConnection connection, CancellationToken cancellation)
    {
        if (!WebSocketOptions.IsOn(Interval))
            return;
        while (!cancellation.IsCancellationRequested)
        {
            await Task.Delay(Interval, time, cancellation).ConfigureAwait(false);
            if (!connection.Ping(NextPing()))
                return; // closing: no more pings
            Task pong;
            lock (gate)
                pong = answered!.Task;
            try
            {
                await pong.WaitAsync(Timeout, time, cancellation).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // RFC 6455 §7.4.1: 1011, "an unexpected condition": the peer
                // stopped answering. It may never read this close; the close
                // timeout then drops the connection.
                connection.Fail(new WebSocketCloseException(new CloseStatus(CloseCode.InternalError, "keepalive ping timeout"),
                    $"No pong within {Timeout.TotalSeconds:0.###} s of ping {PingsSent}."));
                return;
            }
        }
    }
}
