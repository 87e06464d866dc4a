namespace Lab06.WebSocketServer;

/// <summary>Everything the server can be told, with safe defaults; each is an option of the command line.</summary>
public sealed record ServerOptions
{
    /// <summary>Where to listen (port 0: any free port).</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Loopback, 0);

    /// <summary>The limits and timers of each connection.</summary>
    public WebSocketOptions WebSocket { get; init; } = WebSocketOptions.Default;

    /// <summary>The request head's size (431 past it) and the handshake's time limit (408).</summary>
    public HandshakeLimits Handshake { get; init; } = HandshakeLimits.Default;

    /// <summary>
    /// The most WebSocket connections at once. Past it a handshake is
    /// answered 503 Service Unavailable, before the upgrade; a handshake that
    /// raced past the check is closed with 1013 (Try Again Later) right after it.
    /// </summary>
    public int MaxConnections { get; init; } = 1000;

    /// <summary>Origins allowed besides the server's own pages (Lab 04).</summary>
    public IReadOnlyList<string> Origins { get; init; } = [];

    /// <summary>Breaks Sec-WebSocket-Accept on every handshake, so a browser shows its failure (also per request: <c>?break-accept</c>).</summary>
    public bool BreakAccept { get; init; }

    /// <summary>On shutdown, how long connections have to answer the 1001 before they are dropped.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The clock of chat timestamps.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The defaults.</summary>
    public static ServerOptions Default { get; } = new();
}
