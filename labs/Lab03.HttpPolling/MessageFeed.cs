using System.Diagnostics;

namespace Lab03.HttpPolling;

/// <summary>
/// The chat room's memory: every message published, in order, with ids 1, 2,
/// 3... (no I/O here: the HTTP side is FeedApp.cs). Thread-safe: many
/// publishers and many waiting readers at once.
/// </summary>
/// <remarks>
/// <para>A reader says which id it has seen last ("since"), and gets every
/// message after it. Because ids are dense and never reused, a reader that
/// always asks with the last id it got sees every message exactly once, in
/// order, however its requests interleave with the publishers: the sequence
/// number is what makes polling lossless.</para>
/// <para>Every message is kept (this is a lab; a real feed would keep a
/// window and tell a reader who fell behind it that it missed some).</para>
/// </remarks>
public sealed class MessageFeed
{
    private readonly object _gate = new();
    private readonly List<FeedMessage> _messages = [];
    // Completed (and replaced) at every publish: what long polls wait on.
    private TaskCompletionSource _published = NewSignal();

    /// <summary>How many messages have been published: the id of the last one.</summary>
    public long LastId
    {
        get
        {
            lock (_gate)
                return _messages.Count;
        }
    }

    /// <summary>Stores a message with the next id and wakes every waiting reader.</summary>
    public FeedMessage Publish(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        throw new NotImplementedException("Lab 03 · step 7: under lock (_gate): message = new FeedMessage(_messages.Count + 1, text), add it, and swap _published for NewSignal() keeping the old one; after the lock, complete the old one (SetResult) to wake every long poll. Return the message. Notebook 03 §5.");
    }

    /// <summary>The messages with id &gt; <paramref name="since"/>, oldest first (empty when there are none yet).</summary>
    public IReadOnlyList<FeedMessage> Since(long since)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(since);
        throw new NotImplementedException("Lab 03 · step 7: under lock (_gate), return the messages with id > since: id n is at index n - 1, so that is _messages from index since to the end (or [] when since >= Count). Notebook 03 §5.");
    }

    /// <summary>
    /// The long poll: the messages after <paramref name="since"/> as soon as
    /// there is at least one, or an empty list when <paramref name="wait"/>
    /// passes first.
    /// </summary>
    public async Task<IReadOnlyList<FeedMessage>> WaitAsync(long since, TimeSpan wait, CancellationToken cancellation = default)
    {
        // A monotonic clock, not DateTime.UtcNow: a wall-clock change must not stretch or cut the wait.
        long started = Stopwatch.GetTimestamp();
        throw new NotImplementedException("Lab 03 · step 7: loop: under lock (_gate), if Since(since) has messages return them, else take published = _published.Task (in the same lock, so no publish slips in between); then await published.WaitAsync(time left until deadline, cancellation); a TimeoutException means nobody published: return Since(since) (empty). Notebook 03 §5.");
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
