namespace Lab03.HttpPolling;

/// <summary>
/// How much of a request the server is willing to hold. Every limit is
/// mandatory: without one, a peer that never stops sending makes us buffer
/// forever (the same lesson as Lab 01's line limit).
/// </summary>
/// <remarks>
/// The defaults are those of common servers: nginx allows 8 KiB per header
/// line; Kestrel 8 KiB for the request line and 32 KiB for all headers.
/// </remarks>
public sealed record HttpLimits
{
    /// <summary>The longest request line ("GET /messages?since=3 HTTP/1.1"), without CRLF. Longer: 414 URI Too Long.</summary>
    public int MaxRequestLineLength { get; init; } = 8 * 1024;

    /// <summary>The most bytes of header fields (the head after the request line). More: 431 Request Header Fields Too Large.</summary>
    public int MaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>The most header fields. More: 431.</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>The longest body announced by Content-Length. Longer: 413 Content Too Large, decided before reading it.</summary>
    public int MaxBodyLength { get; init; } = 64 * 1024;

    /// <summary>The defaults above.</summary>
    public static HttpLimits Default { get; } = new();
}
