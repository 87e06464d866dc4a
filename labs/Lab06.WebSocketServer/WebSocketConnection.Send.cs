using System.Buffers;

namespace Lab06.WebSocketServer;

/// <summary>The write side: any thread queues, one writer writes.</summary>
public sealed partial class WebSocketConnection
{
    /// <summary>Small frames are packed into one buffer of this size and written together: one system call for many frames.</summary>
    private const int BatchSize = 16 * 1024;

    private bool closeFrameWritten;

    /// <summary>
    /// Queues <paramref name="message"/> (whole, never interleaved with
    /// another sender's) and returns once it is queued; waits while
    /// <see cref="WebSocketOptions.MaxBufferedBytes"/> are already queued, which
    /// is the back-pressure a fast producer needs. Throws
    /// <see cref="WebSocketClosedException"/> once the connection is closing.
    /// </summary>
    public async ValueTask SendAsync(Message message, CancellationToken cancellation = default)
    {
        while (true)
        {
            switch (TrySend(message))
            {
                case SendResult.Queued:
                    return;
                case SendResult.Closed:
                    throw new WebSocketClosedException($"Connection {ShortId} is {State}: no message may be sent after a close frame (RFC 6455 §5.5.1).");
            }
            await queue.WaitForRoomAsync(cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues <paramref name="message"/> if there is room now, and never waits:
    /// for broadcast, where one slow reader must not hold up the others.
    /// </summary>
    public SendResult TrySend(Message message, int fragmentSize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (gate)
        {
            if (protocol.State != ConnectionState.Open)
                return SendResult.Closed;
            if (queue.IsFull)
                return SendResult.Full;
            protocol.Send(message, fragmentSize);
            return queue.TryEnqueueData(protocol.TakeFramesToSend()) ? SendResult.Queued : SendResult.Full;
        }
    }

    /// <summary>Sends a ping with <paramref name="payload"/> (at most 125 bytes). False once the connection is closing.</summary>
    public bool Ping(ReadOnlyMemory<byte> payload)
    {
        lock (gate)
        {
            if (!protocol.Ping(payload))
                return false;
            FlushProtocolLocked();
            return true;
        }
    }

    /// <summary>
    /// The one writer: takes frames off the queue in order and writes them.
    /// Small frames that wait together are packed into one pooled buffer and
    /// written at once; a large one is written from its own payload (a
    /// server sends it as it is; a client masks it a chunk at a time).
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var token = transport.Token;
        var batched = new List<Frame>();
        throw new NotImplementedException("Lab 06 · step 9: while (await queue.DequeueAsync(token)) gives a frame: rent a BatchSize buffer from ArrayPool<byte>.Shared; encode that frame and every frame queue.TryDequeue still gives into it with FrameEncoder.EncodeTo (key: Masking.NewKey() for a Client, null for a Server), remembering them in batched; when the next would not fit, await FlushAsync(batch, used, batched, token) first; a frame larger than BatchSize goes through WriteLargeAsync, then Written(frame). Flush at the end, and return the buffer in a finally. Notebook 06 §2.");
    }

    /// <summary>Writes the packed frames, then marks them written.</summary>
    private async ValueTask FlushAsync(byte[] batch, int used, List<Frame> batched, CancellationToken token)
    {
        if (used == 0)
            return;
        await stream.WriteAsync(batch.AsMemory(0, used), token).ConfigureAwait(false);
        foreach (var frame in batched)
            Written(frame);
        batched.Clear();
    }

    /// <summary>
    /// A frame too large to pack: the header, then the payload. A server
    /// writes the payload as it is (no copy); a client masks a copy, 16 KiB
    /// at a time, carrying the key's offset from one chunk to the next.
    /// </summary>
    private async ValueTask WriteLargeAsync(Frame frame, uint? key, CancellationToken token)
    {
        var header = new FrameHeader(frame.Fin, frame.Opcode, frame.Payload.Length, key, frame.Reserved);
        var scratch = ArrayPool<byte>.Shared.Rent(BatchSize);
        try
        {
            int headerSize = header.WriteTo(scratch);
            await stream.WriteAsync(scratch.AsMemory(0, headerSize), token).ConfigureAwait(false);
            if (key is not uint k)
            {
                await stream.WriteAsync(frame.Payload, token).ConfigureAwait(false);
                return;
            }
            int offset = 0;
            for (var rest = frame.Payload; !rest.IsEmpty;)
            {
                var chunk = rest[..Math.Min(rest.Length, BatchSize)];
                chunk.Span.CopyTo(scratch);
                offset = Masking.Apply(scratch.AsSpan(0, chunk.Length), k, offset);
                await stream.WriteAsync(scratch.AsMemory(0, chunk.Length), token).ConfigureAwait(false);
                rest = rest[chunk.Length..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>A frame reached the stream: its bytes leave BufferedAmount; a close frame is now sent.</summary>
    private void Written(Frame frame)
    {
        queue.Written(frame);
        if (frame.Opcode == Opcode.Close)
            closeFrameWritten = true;
    }
}
