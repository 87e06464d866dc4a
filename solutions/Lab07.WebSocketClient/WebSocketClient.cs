using System.Net.Sockets;

namespace Lab07.WebSocketClient;

/// <summary>
/// A WebSocket client with the browser's API shape (the WHATWG WebSockets
/// standard): <see cref="ReadyState"/> CONNECTING 0 → OPEN 1 → CLOSING 2 →
/// CLOSED 3; the events <see cref="OnOpen"/>, <see cref="OnMessage"/>,
/// <see cref="OnError"/> and <see cref="OnClose"/>, in the browser's order;
/// <see cref="Send(string)"/>, <see cref="BufferedAmount"/>,
/// <see cref="Close"/>, <see cref="Protocol"/>, <see cref="Extensions"/>,
/// <see cref="Url"/>. Beside it, the C# way: <see cref="ConnectAsync"/>,
/// <see cref="SendAsync(string, CancellationToken)"/>, <c>await foreach</c>
/// over <see cref="ReceiveAllAsync"/>, <see cref="CloseAsync"/>.
/// </summary>
/// <remarks>
/// <para>Built on the learner's own labs: Lab 04's client handshake, Lab 05's
/// codec, and Lab 06's connection pump in the client <see cref="Role"/>
/// (every frame masked with a fresh key; the server closes TCP first).</para>
/// <para>One difference from the browser: <c>new WebSocket(url)</c> starts
/// connecting at once, and a script attaches <c>onopen</c> afterwards
/// safely because no event runs until the script's current task ends (the
/// event loop). A C# program has no event loop, so the connection's own task
/// would race those lines: here <see cref="Connect"/> starts it, after the
/// handlers are attached (notebook 07 §3).</para>
/// <para>Events are raised one at a time, in order, on the connection's read
/// loop: a slow handler slows reading, which is back-pressure. A handler
/// must not wait for the connection (<see cref="CloseAsync"/>,
/// <see cref="ReceiveAsync"/>): it would wait for itself, and those throw
/// when called from a handler. An exception in a handler is written to
/// standard error and the connection goes on, as a browser reports it to its console.</para>
/// </remarks>
public sealed partial class WebSocketClient : IAsyncDisposable
{
    private readonly object gate = new();
    private readonly CancellationTokenSource connecting = new();   // Close() before the handshake ends cancels it
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<CloseEvent> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ClientHandshakeOptions handshakeOptions;
    private ConnectionState phase = ConnectionState.Connecting;   // Open: the connection's own state decides
    private WebSocketConnection? connection;
    private HandshakeResult? agreed;
    private Task? running;
    private ErrorEvent? failure;
    private long discarded;                                        // bytes "sent" after close(): the browser still counts them
    private bool sendBufferFull;

    /// <summary>A client for <paramref name="url"/> offering <paramref name="protocols"/>: <c>new WebSocket(url, protocols)</c>. Attach the handlers, then <see cref="Connect"/>.</summary>
    /// <exception cref="ArgumentException">SyntaxError: a URL or a subprotocol a browser would refuse.</exception>
    /// <exception cref="NotSupportedException">wss:// (TLS comes in Lab 09).</exception>
    public WebSocketClient(string url, params string[] protocols)
        : this(url, new WebSocketClientOptions { Protocols = protocols ?? [] })
    {
    }

    /// <summary>A client for <paramref name="url"/> with <paramref name="options"/>. Attach the handlers, then <see cref="Connect"/>.</summary>
    public WebSocketClient(string url, WebSocketClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Url = BrowserRules.ParseUrl(url);
        Options = options;
        handshakeOptions = new ClientHandshakeOptions
        {
            Subprotocols = options.Protocols,
            Origin = options.Origin,
            Timeout = options.ConnectTimeout,
        };
        try
        {
            // Lab 04 checks the offers once, here, before anything is sent:
            // a subprotocol that is not a token, or is offered twice, is the browser's SyntaxError.
            _ = new ClientHandshake(Url, handshakeOptions);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"SyntaxError: {ExceptionText.Plain(e)}", nameof(options), e);
        }
        // A connection that never opens faults this task; nobody need look at it in the browser shape.
        opened.Task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        closed.Task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    /// <summary>The URL, as checked by <see cref="BrowserRules.ParseUrl"/> (http: and https: become ws: and wss:).</summary>
    public Uri Url { get; }

    /// <summary>What was offered, and the limits.</summary>
    public WebSocketClientOptions Options { get; }

    /// <summary>The subprotocol the server chose, or "" (before the handshake, or when it chose none).</summary>
    public string Protocol => agreed?.Subprotocol ?? "";

    /// <summary>The extensions in force, as the server named them, or "" (this client offers none).</summary>
    public string Extensions => agreed is null ? "" : string.Join(", ", agreed.Extensions);

    /// <summary>CONNECTING 0, OPEN 1, CLOSING 2 (a close frame went either way), CLOSED 3 (TCP is closed, or never opened).</summary>
    public ConnectionState ReadyState
    {
        get
        {
            lock (gate)
                return phase == ConnectionState.Open ? connection!.State : phase;
        }
    }

    /// <summary>
    /// Bytes of messages given to <see cref="Send(string)"/> that have not
    /// reached the socket. As in the browser, messages sent after the close
    /// are never sent but still counted, and what was never written stays.
    /// </summary>
    public long BufferedAmount => (connection?.BufferedAmount ?? 0) + Interlocked.Read(ref discarded);

    /// <summary>Completes with the <see cref="CloseEvent"/> once the connection has ended (or failed to open).</summary>
    public Task<CloseEvent> Completion => closed.Task;

    /// <summary>The handshake is done: messages may be sent (<c>onopen</c>).</summary>
    public event Action? OnOpen;

    /// <summary>A whole message came (<c>onmessage</c>).</summary>
    public event Action<MessageEvent>? OnMessage;

    /// <summary>The connection failed, or did not close cleanly: just before <see cref="OnClose"/> (<c>onerror</c>).</summary>
    public event Action<ErrorEvent>? OnError;

    /// <summary>The connection has ended, always the last event (<c>onclose</c>).</summary>
    public event Action<CloseEvent>? OnClose;

    /// <summary>
    /// Starts connecting: TCP, then the opening handshake; then
    /// <see cref="OnOpen"/>, or <see cref="OnError"/> and <see cref="OnClose"/>
    /// (1006) when it fails. Returns at once. <paramref name="cancellation"/>
    /// cancels connecting only.
    /// </summary>
    public void Connect(CancellationToken cancellation = default)
    {
        lock (gate)
        {
            if (running is not null)
                throw new InvalidOperationException(phase == ConnectionState.Connecting
                    ? "Connect was already called: a WebSocketClient makes one connection, as a browser's WebSocket does. Make a new one to connect again."
                    : $"This client was closed before it connected (ReadyState {phase}). Make a new one to connect.");
            running = Task.Run(() => RunGuardedAsync(cancellation), CancellationToken.None);
        }
    }

    /// <summary>
    /// <see cref="RunAsync"/>, and if it throws (a bug, or a step not written
    /// yet), the end is reported at once instead of leaving the client
    /// CONNECTING for ever: <see cref="ConnectAsync"/> and <see cref="Completion"/>
    /// fail with the exception, and the pump, if any, is dropped.
    /// </summary>
    private async Task RunGuardedAsync(CancellationToken cancellation)
    {
        try
        {
            await RunAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception bug)
        {
            lock (gate)
                phase = ConnectionState.Closed;
            connection?.Abort();
            opened.TrySetException(bug);
            closed.TrySetException(bug);
            inbox?.Complete();
        }
    }

    /// <summary>
    /// Connects to <paramref name="url"/> and returns the client once it is
    /// open: the C# way. Its messages wait for <see cref="ReceiveAsync"/> and
    /// <c>await foreach</c> over <see cref="ReceiveAllAsync"/> (and are raised
    /// as <see cref="OnMessage"/> too). Dispose it to close with 1000.
    /// </summary>
    /// <exception cref="HandshakeFailedException">The server refused, broke the handshake, or did not answer within <see cref="WebSocketClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="SocketException">No connection could be made.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> came first.</exception>
    public static async Task<WebSocketClient> ConnectAsync(string url, WebSocketClientOptions? options = null, CancellationToken cancellation = default)
    {
        var client = new WebSocketClient(url, options ?? new WebSocketClientOptions());
        client.inbox = new Inbox(client.Options.InboxCapacity);
        client.Connect(cancellation);
        try
        {
            await client.opened.Task.ConfigureAwait(false);
        }
        catch (Exception)
        {
            await client.DisposeAsync().ConfigureAwait(false); // already closed: this only waits for the end
            throw;
        }
        return client;
    }

    /// <summary>
    /// The life of the connection, in the browser's order: the handshake;
    /// OPEN and <see cref="OnOpen"/>; the pump until the end, each message
    /// raised on the way; then <see cref="Finish"/>: CLOSED, and
    /// <see cref="OnError"/> (when not clean) and <see cref="OnClose"/>.
    /// </summary>
    private async Task RunAsync(CancellationToken cancellation)
    {
        // BEGIN SOLUTION
        HandshakeConnection handshake;
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellation, connecting.Token);
            handshake = await HandshakeClient.ConnectAsync(Url, handshakeOptions, Options.Tap, either.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            NeverOpened(e);
            return;
        }
        if (Open(handshake) is not { } open)
        {
            NeverOpened(new OperationCanceledException("Close() was called while the handshake was finishing."));
            return;
        }
        Raise(OnOpen);
        opened.TrySetResult();
        var ended = await open.RunAsync(DeliverAsync).ConfigureAwait(false);
        var close = CloseEvent.From(ended);
        Finish(close.WasClean ? null : Explain(ended), close);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 4: HandshakeConnection handshake = await HandshakeClient.ConnectAsync(Url, handshakeOptions, Options.Tap, token) with token linked from cancellation and connecting.Token; any exception → NeverOpened(e) and return. Open(handshake) gives the connection (null when Close() came first: NeverOpened(new OperationCanceledException(...)) and return). Then Raise(OnOpen), opened.TrySetResult(), ended = await open.RunAsync(DeliverAsync), close = CloseEvent.From(ended) (step 3), and Finish(close.WasClean ? null : Explain(ended), close). Write Finish too. Notebook 07 §3, RFC 6455 §4.1 and §7.");
    }

    /// <summary>
    /// The end, in the browser's order: ReadyState CLOSED; then
    /// <see cref="OnError"/>, only when <paramref name="error"/> is given (the
    /// connection failed or did not close cleanly); then <see cref="OnClose"/>,
    /// always last. Then <see cref="Completion"/> and the inbox end.
    /// </summary>
    private void Finish(ErrorEvent? error, CloseEvent close)
    {
        // BEGIN SOLUTION
        lock (gate)
        {
            phase = ConnectionState.Closed;
            failure = error;
        }
        if (error is not null)
            Raise(OnError, error);
        Raise(OnClose, close);
        closed.TrySetResult(close);
        inbox?.Complete();
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 4: under lock (gate) set phase = ConnectionState.Closed and failure = error; then Raise(OnError, error) when error is not null, and Raise(OnClose, close), in that order (the browser's: readyState is CLOSED before either fires); then closed.TrySetResult(close) and inbox?.Complete(). Notebook 07 §3.");
    }

    /// <summary>The handshake succeeded: the pump over its socket, unless Close() came first (then null).</summary>
    private WebSocketConnection? Open(HandshakeConnection handshake)
    {
        var socket = handshake.Socket;
        Stream stream = Options.Tap is { } tap ? new TappedNetworkStream(socket, tap) : new NetworkStream(socket, ownsSocket: true);
        var open = new WebSocketConnection(stream, Role.Client, Options.Connection, handshake.Received,
            socket.RemoteEndPoint?.ToString() ?? "", Url.PathAndQuery, handshake.Result.Subprotocol);
        lock (gate)
        {
            if (phase == ConnectionState.Connecting)
            {
                connection = open;
                agreed = handshake.Result;
                phase = ConnectionState.Open;
                return open;
            }
        }
        stream.Dispose();
        return null;
    }

    /// <summary>No connection: the handshake failed, timed out, was cancelled, or TCP could not connect.</summary>
    private void NeverOpened(Exception e)
    {
        string why = e switch
        {
            OperationCanceledException when connecting.IsCancellationRequested =>
                "Close() was called before the connection opened, which fails it (WHATWG WebSockets, close()).",
            OperationCanceledException => "Connecting was cancelled.",
            HandshakeFailedException refused => $"The opening handshake failed ({refused.Failure}): {refused.Message}",
            SocketException socket => $"No TCP connection to {Url.Authority}: {socket.Message} ({socket.SocketErrorCode}).",
            _ => $"Connecting to {Url} failed: {e.Message}",
        };
        opened.TrySetException(e);
        Finish(new ErrorEvent(why, e), CloseEvent.NeverOpened);
    }

    /// <summary>Why a connection that opened did not close cleanly, for <see cref="OnError"/>.</summary>
    private ErrorEvent Explain(ConnectionClosed ended)
    {
        if (sendBufferFull)
            return new ErrorEvent($"More than {Options.Connection.MaxBufferedBytes} bytes waited to be sent (WebSocketClientOptions.Connection.MaxBufferedBytes), so the connection was closed, as a browser closes it when its buffer is full (WHATWG WebSockets, send()).");
        string sent = $"this client closed with {ended.Code} {CloseCodes.Describe(ended.Code)}";
        return ended.Error switch
        {
            WebSocketProtocolException { Error: ProtocolError.MessageTooBig or ProtocolError.TooManyFragments } e =>
                new ErrorEvent($"The server sent a message over this client's limits ({e.Message}); {sent} (RFC 6455 §7.4.1; raise WebSocketClientOptions.Connection.Limits to accept it).", e),
            WebSocketProtocolException e => new ErrorEvent($"The server broke the protocol: {WebSocketProtocol.Describe(e.Error)} ({e.Message}); {sent} (RFC 6455 §7.1.7).", e),
            WebSocketCloseException e => new ErrorEvent($"{e.Message}; {sent}.", e),
            { } e => new ErrorEvent($"The connection failed: {e.Message}", e),
            null when ended.By == ClosedBy.Transport => new ErrorEvent("TCP ended without a closing handshake: the server closed or dropped the connection, or it was aborted (RFC 6455 §7.1.5: 1006)."),
            null when ended.By == ClosedBy.Local => new ErrorEvent($"The server did not answer this client's close ({ended.Code}) within the close timeout ({Options.Connection.CloseTimeout.TotalSeconds:0.##} s), so the connection was dropped."),
            null => new ErrorEvent($"The server's close ({ended.Code}) came, but TCP ended before this client's answer went out."),
        };
    }
}
