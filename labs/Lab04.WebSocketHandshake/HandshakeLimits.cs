namespace Lab04.WebSocketHandshake;

/// <summary>
/// The limits on a handshake, applied by the Lab 03 server: the request
/// head's size (431 past it) and the time a client has to send its whole
/// request (408, then the connection is dropped: a client that opens
/// connections and never finishes its handshake must not hold them for ever).
/// </summary>
public sealed record HandshakeLimits
{
    /// <summary>The longest request head, request line excluded (browsers send about 500 bytes; cookies add more).</summary>
    public int MaxHeadBytes { get; init; } = 8 * 1024;

    /// <summary>The time from a connection's first byte (or from the accept, if none comes) to a complete request.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The defaults.</summary>
    public static HandshakeLimits Default { get; } = new();

    /// <summary><paramref name="options"/> (the defaults when null) with these limits in force.</summary>
    public HttpServerOptions ServerOptions(HttpServerOptions? options = null)
    {
        options ??= new HttpServerOptions();
        return options with
        {
            Limits = options.Limits with { MaxHeaderBytes = MaxHeadBytes },
            RequestTimeout = Timeout,
            IdleTimeout = Timeout < options.IdleTimeout ? Timeout : options.IdleTimeout,
        };
    }
}
