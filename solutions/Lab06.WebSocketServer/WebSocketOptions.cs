namespace Lab06.WebSocketServer;

/// <summary>
/// The limits and timers of one connection, with safe defaults. Every one
/// is an option of the command line (Program.cs).
/// </summary>
public sealed record WebSocketOptions
{
    /// <summary>The longest message (1 MiB; 1009 past it) and the most fragments per message (1024; 1009 past it).</summary>
    public FrameLimits Limits { get; init; } = FrameLimits.Default;

    /// <summary>
    /// How many bytes of messages may wait to be sent (the browser's
    /// bufferedAmount). Past it, <see cref="WebSocketConnection.SendAsync"/>
    /// waits and <see cref="WebSocketConnection.TrySend"/> says Full. A single
    /// message larger than this is still sent when nothing else waits.
    /// </summary>
    public long MaxBufferedBytes { get; init; } = 4 << 20;

    /// <summary>A ping every this long (0 or infinite: no keepalive). python-websockets uses 20 s too.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the pong may take; past it the connection fails with 1011 (notebook 06 §6).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long the peer has to answer a close, and to close TCP after it, before this end drops the connection.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a connection may go without receiving a message before it is closed with 1001 (infinite: never).</summary>
    public TimeSpan IdleTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>The size of the buffer a read borrows from the pool, only while data is there to read.</summary>
    public int ReceiveBufferSize { get; init; } = 64 * 1024;

    /// <summary>The clock of the keepalive and the timeouts (tests may use their own).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The defaults.</summary>
    public static WebSocketOptions Default { get; } = new();

    internal static bool IsOn(TimeSpan span) => span > TimeSpan.Zero && span != Timeout.InfiniteTimeSpan;
}
