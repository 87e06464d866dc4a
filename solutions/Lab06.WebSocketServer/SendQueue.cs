using System.Threading.Channels;

namespace Lab06.WebSocketServer;

/// <summary>What became of a message given to <see cref="WebSocketConnection.TrySend"/>.</summary>
public enum SendResult
{
    /// <summary>Queued: it will be written in order.</summary>
    Queued,
    /// <summary>Refused: <see cref="WebSocketOptions.MaxBufferedBytes"/> already wait (a slow reader).</summary>
    Full,
    /// <summary>Refused: the connection is closing or closed.</summary>
    Closed,
}

/// <summary>
/// The frames waiting to be written, in the order they were queued, and
/// their payload bytes: the browser's <c>bufferedAmount</c>. Many threads
/// may queue; one writer takes them out (<see cref="WebSocketConnection"/>),
/// so frames never interleave on the wire.
/// </summary>
/// <remarks>
/// The bound is on data, not on control frames: a pong or a close must get
/// through even when a slow reader has filled the queue with messages.
/// </remarks>
public sealed class SendQueue(long maxBufferedBytes)
{
    private readonly Channel<Frame> frames = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly object gate = new();
    private long buffered;
    private TaskCompletionSource? room; // completed when the queue drains below its bound

    /// <summary>Payload bytes queued and not yet written (the browser's bufferedAmount).</summary>
    public long BufferedAmount => Interlocked.Read(ref buffered);

    /// <summary>The bound on <see cref="BufferedAmount"/>.</summary>
    public long MaxBufferedBytes { get; } = maxBufferedBytes > 0 ? maxBufferedBytes : throw new ArgumentOutOfRangeException(nameof(maxBufferedBytes));

    /// <summary>True when data frames would be refused now.</summary>
    public bool IsFull => BufferedAmount >= MaxBufferedBytes;

    /// <summary>
    /// Queues a message's frames when there is room: when fewer than
    /// <see cref="MaxBufferedBytes"/> wait (so one message larger than the
    /// bound still goes when the queue is empty). Returns false, queuing
    /// nothing, when it is full.
    /// </summary>
    public bool TryEnqueueData(IReadOnlyList<Frame> message)
    {
        // BEGIN SOLUTION
        lock (gate)
        {
            if (IsFull)
                return false;
            foreach (var frame in message)
                Enqueue(frame);
            return true;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 7: under lock (gate): if IsFull, return false (the caller decides: wait, or give up on a slow reader); else Enqueue(frame) each frame of the message, in order, and return true. Notebook 06 §2.");
    }

    /// <summary>Queues a control frame, or any frame, whatever the bound.</summary>
    public void Enqueue(Frame frame)
    {
        lock (gate)
        {
            Interlocked.Add(ref buffered, frame.Payload.Length);
            if (!frames.Writer.TryWrite(frame))
                Interlocked.Add(ref buffered, -frame.Payload.Length); // completed: nothing more is written
        }
    }

    /// <summary>Completes when <see cref="IsFull"/> is false, or the queue is completed.</summary>
    public Task WaitForRoomAsync(CancellationToken cancellation)
    {
        lock (gate)
        {
            if (!IsFull || frames.Reader.Completion.IsCompleted)
                return Task.CompletedTask;
            room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return room.Task.WaitAsync(cancellation);
        }
    }

    /// <summary>For the writer: the next frame, waiting for one; null once the queue is completed and empty.</summary>
    public async ValueTask<Frame?> DequeueAsync(CancellationToken cancellation)
    {
        while (await frames.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
        {
            if (frames.Reader.TryRead(out var frame))
                return frame;
        }
        return null;
    }

    /// <summary>For the writer: the next frame if one waits now.</summary>
    public bool TryDequeue(out Frame frame) => frames.Reader.TryRead(out frame!);

    /// <summary>For the writer: <paramref name="frame"/> reached the stream; its bytes leave the count.</summary>
    public void Written(Frame frame)
    {
        TaskCompletionSource? wake = null;
        lock (gate)
        {
            Interlocked.Add(ref buffered, -frame.Payload.Length);
            if (room is not null && !IsFull)
            {
                wake = room;
                room = null;
            }
        }
        wake?.TrySetResult();
    }

    /// <summary>No more frames: after the close frame, nothing may follow (RFC 6455 §5.5.1). Wakes waiting senders.</summary>
    public void Complete()
    {
        TaskCompletionSource? wake;
        lock (gate)
        {
            frames.Writer.TryComplete();
            wake = room;
            room = null;
        }
        wake?.TrySetResult();
    }

}
