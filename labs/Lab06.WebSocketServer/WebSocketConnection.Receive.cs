using System.Buffers;

namespace Lab06.WebSocketServer;

/// <summary>The read side: one loop owns the stream's reads and the protocol's input.</summary>
public sealed partial class WebSocketConnection
{
    private long lastMessage; // timestamp of the last message received, for IdleTimeout

    /// <summary>
    /// Reads until the peer's close frame, a failure, or the end of the
    /// stream, and dispatches what each read brings. Returns normally in all
    /// three cases; throws only when the transport breaks.
    /// </summary>
    private async Task ReceiveLoopAsync(MessageHandler onMessage)
    {
        lastMessage = Options.Time.GetTimestamp();
        if (!received.IsEmpty)
        {
            // The client may send its first frames in the same segment as the handshake.
            var early = received;
            received = default;
            await ProcessAsync(early, onMessage).ConfigureAwait(false);
        }
        throw new NotImplementedException("Lab 06 · step 8: loop: under lock (gate), return when !protocol.IsReceiving; if queue.IsFull, await queue.WaitForRoomAsync(transport.Token) first (a peer that does not read what we send gets nothing more read: back-pressure); await WaitForDataAsync() (a zero-byte read: no buffer held while idle); rent a buffer (ArrayPool<byte>.Shared.Rent(Options.ReceiveBufferSize)), n = await stream.ReadAsync(buffer, transport.Token); n == 0: under lock protocol.ReceiveEof() and return; else await ProcessAsync(buffer[..n], onMessage); return the buffer in a finally. Notebook 06 §2.");
    }

    /// <summary>
    /// Waits until the stream has bytes, holding no buffer meanwhile: a
    /// zero-byte read on a socket completes when data (or the end) arrives.
    /// When <see cref="WebSocketOptions.IdleTimeout"/> is on, a connection that
    /// receives no message for that long is closed with 1001.
    /// </summary>
    private async Task WaitForDataAsync()
    {
        if (!WebSocketOptions.IsOn(Options.IdleTimeout))
        {
            await stream.ReadAsync(Memory<byte>.Empty, transport.Token).ConfigureAwait(false);
            return;
        }
        var left = Options.IdleTimeout - Options.Time.GetElapsedTime(lastMessage);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(transport.Token);
        idle.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            await stream.ReadAsync(Memory<byte>.Empty, idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!transport.IsCancellationRequested)
        {
            // RFC 6455 §7.4.1: 1001 "going away": this server leaves the idle connection.
            _ = CloseAsync(new CloseStatus(CloseCode.GoingAway, "idle timeout"));
            lastMessage = Options.Time.GetTimestamp(); // wait for the peer's close, under the close timeout
        }
    }

    /// <summary>
    /// Feeds the protocol a message at a time: under the lock, the bytes up
    /// to the end of the next message (what it decided to send goes to the
    /// queue); then, outside it, that message to the application, whose
    /// answer is so queued before whatever came behind it is acted on.
    /// </summary>
    private async ValueTask ProcessAsync(ReadOnlyMemory<byte> bytes, MessageHandler onMessage)
    {
        while (!bytes.IsEmpty)
        {
            List<WebSocketEvent> events;
            lock (gate)
            {
                bytes = bytes[WebSocketProtocol.UsedBy(protocol.ReceiveFrames(bytes.Span), bytes.Length)..];
                FlushProtocolLocked();
                events = protocol.TakeEvents();
            }
            await DispatchAsync(events, onMessage).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Acts on events outside the lock: messages to the application (one at
    /// a time, in order), pongs to the keepalive. An application that throws
    /// fails the connection with 1011 and its exception goes to the log only.
    /// </summary>
    private async ValueTask DispatchAsync(List<WebSocketEvent> events, MessageHandler onMessage)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case MessageReceived m:
                    lastMessage = Options.Time.GetTimestamp();
                    try
                    {
                        await onMessage(this, m.Message, transport.Token).ConfigureAwait(false);
                    }
                    catch (WebSocketClosedException)
                    {
                        // The handler sent on a connection that is closing: nothing went wrong.
                    }
                    catch (Exception) when (transport.IsCancellationRequested)
                    {
                        throw new OperationCanceledException("The connection was aborted while a handler ran.");
                    }
                    catch (Exception failure)
                    {
                        lock (gate)
                        {
                            protocol.Fail(failure);
                            FlushProtocolLocked();
                        }
                        return;
                    }
                    break;
                case PongReceived p:
                    Keepalive.OnPong(p.Payload.Span);
                    break;
            }
        }
    }
}
