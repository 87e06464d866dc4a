using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Lab07.WebSocketClient;

/// <summary>Receiving: OnMessage for every message, and for a client made by ConnectAsync an inbox that ReceiveAsync reads.</summary>
public sealed partial class WebSocketClient
{
    private Inbox? inbox; // only for a client made by ConnectAsync

    /// <summary>
    /// What the pump calls for each whole message, on its read loop: raise
    /// <see cref="OnMessage"/>, then put the message in the inbox when there
    /// is one, waiting while it is full: nothing behind the message is acted
    /// on until the application has handled it (asked for the next one).
    /// </summary>
    private async ValueTask DeliverAsync(WebSocketConnection from, Message message, CancellationToken cancellation)
    {
        // BEGIN SOLUTION
        Raise(OnMessage, new MessageEvent(message));
        if (inbox is not null)
            await inbox.AddAsync(message, cancellation).ConfigureAwait(false);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 7: Raise(OnMessage, new MessageEvent(message)); then, when inbox is not null, await inbox.AddAsync(message, cancellation): it waits while InboxCapacity messages are unhandled (by default 1: until the application asks for the next message), and the pump acts on nothing behind this message meanwhile: the application's answer goes out before a close that follows it is answered (back-pressure, too). Notebook 07 §5.");
    }

    /// <summary>
    /// The next message; null once the connection has closed cleanly and
    /// every message before the close has been read.
    /// </summary>
    /// <exception cref="WebSocketFailedException">The connection failed or did not close cleanly (after the messages that came before).</exception>
    /// <exception cref="InvalidOperationException">A client made with <c>new</c>: its messages come as <see cref="OnMessage"/> events only.</exception>
    public async ValueTask<Message?> ReceiveAsync(CancellationToken cancellation = default)
    {
        var messages = inbox ?? throw new InvalidOperationException(
            "This client was made with new WebSocketClient(...): its messages come as OnMessage events. Make it with await WebSocketClient.ConnectAsync(...) to receive with ReceiveAsync or await foreach.");
        ThrowIfInHandler(nameof(ReceiveAsync));
        // BEGIN SOLUTION
        if (await messages.TakeAsync(cancellation).ConfigureAwait(false) is { } message)
            return message;
        var close = await Completion.ConfigureAwait(false); // the inbox completes after the close event
        if (close.WasClean)
            return null;
        throw new WebSocketFailedException(failure ?? new ErrorEvent("The connection did not close cleanly."), close);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 7: a message from await messages.TakeAsync(cancellation) is returned; null means the inbox is done: await Completion for the close event; clean → return null; else throw new WebSocketFailedException(failure (the error event), close). Notebook 07 §5.");
    }

    /// <summary>Every message until the connection closes: <c>await foreach (var message in client.ReceiveAllAsync())</c>. Ends after a clean close; throws <see cref="WebSocketFailedException"/> after any other end.</summary>
    public async IAsyncEnumerable<Message> ReceiveAllAsync([EnumeratorCancellation] CancellationToken cancellation = default)
    {
        while (await ReceiveAsync(cancellation).ConfigureAwait(false) is { } message)
            yield return message;
    }

    /// <summary>
    /// Received messages waiting for the application. A message counts as
    /// handled once the application asks for the next one; while
    /// <c>capacity</c> messages are unhandled the pump waits, and decodes
    /// nothing more. With a capacity of 1 (the default) the application's
    /// answer to a message is so queued before whatever came behind it (a
    /// close, a bad frame) is acted on, as a handler's is. Once the client is
    /// closing the pump no longer waits (the server's close must still be
    /// read), and no message is ever dropped.
    /// </summary>
    private sealed class Inbox(int capacity)
    {
        private readonly Channel<Message> messages = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleWriter = true });
        private readonly object gate = new();
        private int unhandled;      // queued, plus the one taken last until the application asks again
        private bool holdingTaken;  // the application took a message and has not asked for the next yet
        private bool noWaiting;
        private TaskCompletionSource? room;

        public ValueTask AddAsync(Message message, CancellationToken cancellation)
        {
            lock (gate)
            {
                if (!messages.Writer.TryWrite(message))
                    return ValueTask.CompletedTask; // completed: the connection is over
                unhandled++;
                if (unhandled < capacity || noWaiting)
                    return ValueTask.CompletedTask;
                room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return new ValueTask(room.Task.WaitAsync(cancellation));
            }
        }

        public async ValueTask<Message?> TakeAsync(CancellationToken cancellation)
        {
            Handled(); // asking for the next message means the last one is handled
            while (await messages.Reader.WaitToReadAsync(cancellation).ConfigureAwait(false))
            {
                if (messages.Reader.TryRead(out var message))
                {
                    lock (gate)
                        holdingTaken = true;
                    return message;
                }
            }
            return null;
        }

        private void Handled()
        {
            TaskCompletionSource? wake = null;
            lock (gate)
            {
                if (!holdingTaken)
                    return;
                holdingTaken = false;
                unhandled--;
                if (unhandled < capacity)
                    (wake, room) = (room, null);
            }
            wake?.TrySetResult();
        }

        public void StopWaiting()
        {
            TaskCompletionSource? wake;
            lock (gate)
            {
                noWaiting = true;
                (wake, room) = (room, null);
            }
            wake?.TrySetResult();
        }

        public void Complete()
        {
            messages.Writer.TryComplete();
            StopWaiting();
        }
    }
}
