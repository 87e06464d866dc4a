using System.Text;
using System.Threading.Channels;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// Helpers for the tests of the browser-shaped API (BrowserRulesTests,
/// EventOrderTests, SendTests, ReceiveTests, ChatCommandTests): fast options,
/// a recorder of a client's events as readable lines, and a console's
/// input and output for the chat command.
/// </summary>
internal static class Sessions
{
    /// <summary>The bound of a wait on loopback: far above what it needs.</summary>
    public static readonly TimeSpan Bound = Loopback.DefaultBound;

    /// <summary>
    /// Options for fast tests: 2 s to connect, 1.5 s for the server to
    /// answer a close (enough for the close frame to get written on a loaded machine).
    /// </summary>
    public static WebSocketClientOptions Fast(params string[] protocols) => new()
    {
        Protocols = protocols,
        ConnectTimeout = TimeSpan.FromSeconds(2),
        Connection = WebSocketClientOptions.ClientDefaults with { CloseTimeout = TimeSpan.FromSeconds(1.5) },
    };

    /// <summary>"readyState 1 OPEN": the number a script sees and the constant's name.</summary>
    public static string Show(ConnectionState state) => $"readyState {(int)state} {state.ToString().ToUpperInvariant()}";

    /// <summary>A close event as the timeline writes it: <c>close 1000 "" wasClean=true</c>.</summary>
    public static string Show(CloseEvent close) =>
        $"close {close.Code} {Visible.Quoted(close.Reason)} wasClean={(close.WasClean ? "true" : "false")}";

    /// <summary>A message as the timeline writes it: <c>text "hello"</c> or <c>binary 3 bytes</c>.</summary>
    public static string Show(Message message) =>
        message.Type == MessageType.Text ? $"text {Visible.Quoted(message.Text, 60)}" : $"binary {message.Data.Length} bytes";

    /// <summary>
    /// Runs <paramref name="action"/> and returns the <typeparamref name="T"/>
    /// it throws; fails the test, saying what came instead, when it throws
    /// nothing or something else.
    /// </summary>
    public static T Throws<T>(Action action, string what, string why) where T : Exception
    {
        try
        {
            action();
        }
        catch (T e)
        {
            return e;
        }
        catch (Exception e)
        {
            Check.Fail($"{what}: expected {typeof(T).Name}, got {e.GetType().Name}: {e.Message}", why);
        }
        Check.Fail($"{what}: expected {typeof(T).Name}, but nothing was thrown", why);
        return null!;
    }

    /// <summary>Awaits <paramref name="task"/> (bounded) and returns what it throws; fails the test when it throws nothing or something else.</summary>
    public static async Task<T> ThrowsAsync<T>(Func<Task> task, TimeSpan bound, string what, string why) where T : Exception
    {
        try
        {
            await task().Within(bound, what);
        }
        catch (T e)
        {
            return e;
        }
        catch (Exception e)
        {
            Check.Fail($"{what}: expected {typeof(T).Name}, got {e.GetType().Name}: {e.Message}", why);
        }
        Check.Fail($"{what}: expected {typeof(T).Name}, but it completed", why);
        return null!;
    }

    /// <summary>
    /// A client's events, in order, as lines a person reads (the timeline of
    /// notebook 07 §3), with the ReadyState each handler saw, and the test's
    /// own actions between them (<see cref="Note"/>). Attach it before any
    /// other handler, so its line comes before what a test's handler does.
    /// </summary>
    public sealed class Timeline
    {
        private readonly WebSocketClient client;
        private readonly LineLog log = new("the client's events");
        private readonly List<MessageEvent> messages = [];
        private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<CloseEvent> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int opens, errors, closes;

        public Timeline(WebSocketClient client)
        {
            this.client = client;
            client.OnOpen += () =>
            {
                Interlocked.Increment(ref opens);
                log.Add($"open ({Show(client.ReadyState)})");
                opened.TrySetResult();
            };
            client.OnMessage += e =>
            {
                lock (messages)
                    messages.Add(e);
                log.Add($"message {Show(e.Message)}");
            };
            client.OnError += e =>
            {
                Interlocked.Increment(ref errors);
                Error = e;
                log.Add($"error ({Show(client.ReadyState)})");
            };
            client.OnClose += e =>
            {
                Interlocked.Increment(ref closes);
                log.Add($"{Show(e)} ({Show(client.ReadyState)})");
                closed.TrySetResult(e);
            };
        }

        /// <summary>Completes at OnOpen.</summary>
        public Task Opened => opened.Task;

        /// <summary>Completes at OnClose with its event.</summary>
        public Task<CloseEvent> Closed => closed.Task;

        public int Opens => Volatile.Read(ref opens);
        public int Errors => Volatile.Read(ref errors);
        public int Closes => Volatile.Read(ref closes);

        /// <summary>The last error event.</summary>
        public ErrorEvent? Error { get; private set; }

        /// <summary>The message events so far.</summary>
        public IReadOnlyList<MessageEvent> Messages
        {
            get
            {
                lock (messages)
                    return [.. messages];
            }
        }

        /// <summary>The lines so far.</summary>
        public IReadOnlyList<string> Lines => log.Lines;

        /// <summary>Adds a line for something the test did: "send \"hello\"", "close() → readyState 2 CLOSING".</summary>
        public void Note(string line) => log.Add(line);

        /// <summary>
        /// Waits for OnOpen, within the bound; the timeout message shows the
        /// events. A connection that ends first fails the test at once: with
        /// the exception that ended it (a step not written yet), or with the events.
        /// </summary>
        public async Task OpenedAsync(string what)
        {
            await Task.WhenAny(Opened, Closed, client.Completion).Within(Bound, what, Describe);
            if (!Opened.IsCompleted)
                Ended(what, "OnOpen");
        }

        /// <summary>Waits for OnClose, within <paramref name="bound"/> (default 5 s); the timeout message shows the events.</summary>
        public async Task<CloseEvent> ClosedAsync(string what, TimeSpan? bound = null)
        {
            await Task.WhenAny(Closed, client.Completion).Within(bound ?? Bound, what, Describe);
            if (!Closed.IsCompleted)
                Ended(what, "OnClose");
            return await Closed;
        }

        /// <summary>Waits until <paramref name="count"/> messages came; the connection's end fails the test at once.</summary>
        public async Task MessagesAsync(int count, string what)
        {
            await Eventually.TrueAsync(() => Messages.Count >= count || Closed.IsCompleted || client.Completion.IsCompleted, Bound, what, Describe);
            if (Messages.Count < count)
                Ended(what, $"{count} message event(s)");
        }

        /// <summary>Waits for <paramref name="task"/> (the server's side of the story), unless the connection ends first: then the test fails at once.</summary>
        public async Task WhileConnectionLivesAsync(Task task, string what)
        {
            await Task.WhenAny(task, Closed, client.Completion).Within(Bound, what, Describe);
            if (!task.IsCompleted)
                Ended(what, what);
            await task;
        }

        /// <summary>The connection ended without the event awaited: rethrows what ended it (RunGuardedAsync faults Completion), or fails with the events.</summary>
        private void Ended(string what, string awaited)
        {
            if (client.Completion.IsFaulted && client.Completion.Exception?.InnerException is { } bug)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(bug);
            Check.Fail($"{what}: the connection ended without {awaited}", Describe());
        }

        /// <summary>For failure messages: the ReadyState now and every line so far.</summary>
        public string Describe() =>
            $"The client: {Show(client.ReadyState)}, BufferedAmount {client.BufferedAmount}" +
            (Error is { } e ? $", last error: {e.Message}" : "") + Environment.NewLine + log.Describe(60);

        /// <summary>The lines, one per line, for a snapshot.</summary>
        public override string ToString() => string.Join("\n", Lines) + "\n";
    }

    /// <summary>A TextWriter whose lines go to a <see cref="LineLog"/>, so a test can wait for one (the chat command's output).</summary>
    public sealed class LineWriter(LineLog log) : TextWriter
    {
        private readonly StringBuilder line = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (line)
            {
                if (value == '\n')
                {
                    log.Add(line.ToString().TrimEnd('\r'));
                    line.Clear();
                }
                else
                {
                    line.Append(value);
                }
            }
        }

        public override void Write(string? value)
        {
            foreach (char c in value ?? "")
                Write(c);
        }

        public override void WriteLine(string? value) => Write((value ?? "") + "\n");

        public override void WriteLine() => Write('\n');
    }

    /// <summary>
    /// A console's input that a test types into line by line
    /// (<see cref="Type"/>), and ends (<see cref="End"/>, Ctrl+D).
    /// </summary>
    public sealed class TypedInput : TextReader
    {
        private readonly Channel<string> lines = Channel.CreateUnbounded<string>();

        /// <summary>A line typed, then Enter.</summary>
        public void Type(string line) => lines.Writer.TryWrite(line);

        /// <summary>The end of input.</summary>
        public void End() => lines.Writer.TryComplete();

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            while (await lines.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                if (lines.Reader.TryRead(out var line))
                    return line;
            return null;
        }

        public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

        public override string? ReadLine() => ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }
}
