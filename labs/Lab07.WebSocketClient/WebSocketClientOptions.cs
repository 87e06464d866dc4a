namespace Lab07.WebSocketClient;

/// <summary>What a client offers, and the limits and timers of its connection.</summary>
public sealed record WebSocketClientOptions
{
    /// <summary>Subprotocols offered, in order of preference (the browser's <c>protocols</c>). Empty: none.</summary>
    public IReadOnlyList<string> Protocols { get; init; } = [];

    /// <summary>An Origin to send, as a page's browser would; null sends none, as programs do.</summary>
    public string? Origin { get; init; }

    /// <summary>The time from connect to a complete handshake response.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The pump's limits and timers (Lab 06), with a client's defaults: see
    /// <see cref="ClientDefaults"/>.
    /// </summary>
    public WebSocketOptions Connection { get; init; } = ClientDefaults;

    /// <summary>
    /// For a client made by <see cref="WebSocketClient.ConnectAsync"/>: how
    /// many received messages may be unhandled (a message is handled once the
    /// application asks for the next one) before the pump stops decoding and
    /// reading. The default, 1, handles a message at a time: the application's
    /// answer to a message is queued before what came behind it (a close, a
    /// bad frame) is acted on, as in Lab 06 and as a browser's handler does.
    /// More lets the pump read ahead (python-websockets keeps 16), at the
    /// price of that order: a close glued to a message may then be answered
    /// before the application has answered the message.
    /// </summary>
    public int InboxCapacity
    {
        get;
        init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(InboxCapacity), value, "At least 1.");
    } = 1;
    /// <summary>Called with every byte sent and received, the handshake included (for transcripts and the notebook).</summary>
    public Action<WireDirection, ReadOnlyMemory<byte>>? Tap { get; init; }

    /// <summary>
    /// A client's pump defaults, which differ from a server's:
    /// <list type="bullet">
    /// <item>messages up to 64 MiB in up to 65,536 fragments (a browser has
    /// no small limit; a conformance run sends 16 MiB, and 4 MiB in 64-byte
    /// fragments). A longer one fails with 1009, decided from the header;</item>
    /// <item>no keepalive pings (browsers send none; the server pings, and
    /// pongs are always answered);</item>
    /// <item>64 MiB may wait to be sent before <c>Send</c> gives up on the
    /// connection, as a browser does when its buffer is full;</item>
    /// <item>5 s for the server to answer a close and close TCP.</item>
    /// </list>
    /// </summary>
    public static WebSocketOptions ClientDefaults { get; } = new()
    {
        Limits = new FrameLimits { MaxMessageLength = 64 << 20, MaxFragments = 1 << 16 },
        MaxBufferedBytes = 64 << 20,
        KeepAliveInterval = Timeout.InfiniteTimeSpan,
        CloseTimeout = TimeSpan.FromSeconds(5),
    };
}
