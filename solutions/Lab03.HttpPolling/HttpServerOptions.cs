namespace Lab03.HttpPolling;

/// <summary>What the server allows a client, in bytes and in time.</summary>
public sealed record HttpServerOptions
{
    /// <summary>Size limits on each request.</summary>
    public HttpLimits Limits { get; init; } = HttpLimits.Default;

    /// <summary>
    /// The time a request may take from its first byte to its last. A client
    /// that sends its head a byte at a time (Slowloris) is answered 408 and cut
    /// off when it runs out, however often it sends a byte.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a kept-alive connection may wait, idle, for its next request before the server closes it.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest the server waits for a client to take a response (a client that never reads).</summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The backlog argument of listen(2).</summary>
    public int Backlog { get; init; } = 128;

    /// <summary>The clock for the Date field (tests may fix it).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
