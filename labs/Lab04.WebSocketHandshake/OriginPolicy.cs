namespace Lab04.WebSocketHandshake;

/// <summary>
/// Which pages may open a WebSocket to this server, judged by the Origin
/// field a browser sends with every handshake (RFC 6455 §4.2.2 item 4, §10.2).
/// </summary>
/// <remarks>
/// <para>A browser sends a WebSocket handshake from any page, to any server,
/// with that server's cookies, and the same-origin policy does not stop it
/// (that is cross-site WebSocket hijacking). Origin is the server's only
/// way to tell its own pages from a hostile one, so a browser request from a
/// foreign origin is refused with 403.</para>
/// <para>Origin is not authentication: any program that is not a browser can
/// send whatever Origin it likes, or none. So a request without Origin
/// (curl, a .NET client, a Python script) is allowed by default: the policy
/// protects browsers' users, not the server.</para>
/// </remarks>
public sealed record OriginPolicy
{
    /// <summary>Origins allowed besides the server's own, as browsers write them: <c>https://chat.example</c>, <c>http://localhost:8080</c>. Compared ignoring case.</summary>
    public IReadOnlySet<string> AllowedOrigins { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Allow a page served by this very server: an http or https Origin whose
    /// host and port are the request's Host (default true). The scheme is not
    /// compared, so http://h:p and https://h:p (two origins, RFC 6454 §4) both
    /// pass; one port serves only one of them, and the Host is the browser's.
    /// </summary>
    public bool AllowSameHost { get; init; } = true;

    /// <summary>Allow requests without Origin, i.e. clients that are not browsers (default true).</summary>
    public bool AllowMissingOrigin { get; init; } = true;

    /// <summary>Allow any origin at all: only for a public service that holds no user's credentials.</summary>
    public bool AllowAnyOrigin { get; init; }

    /// <summary>The defaults: no Origin, or this server's own pages.</summary>
    public static OriginPolicy Default { get; } = new();

    /// <summary>The defaults, plus <paramref name="origins"/>.</summary>
    public static OriginPolicy Allow(params string[] origins) =>
        new() { AllowedOrigins = new HashSet<string>(origins, StringComparer.OrdinalIgnoreCase) };

    /// <summary>
    /// Whether a handshake with <paramref name="origin"/> (null: no Origin
    /// field) sent to <paramref name="host"/> (the request's Host) is allowed.
    /// </summary>
    public bool IsAllowed(string? origin, string? host)
    {
        throw new NotImplementedException("Lab 04 · step 6: no Origin (null) → AllowMissingOrigin; AllowAnyOrigin or origin in AllowedOrigins → true; \"null\" (an opaque origin) → false unless listed; otherwise, when AllowSameHost, allowed if SameHost(origin, host) (the page came from this server). Notebook 04 §6, RFC 6455 §10.2.");
    }

    /// <summary>
    /// Whether <paramref name="origin"/> (<c>scheme://host[:port]</c>) names
    /// the same host and port as <paramref name="host"/> (<c>host[:port]</c>),
    /// each port defaulting from the origin's scheme.
    /// </summary>
    public static bool SameHost(string origin, string host)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var page) || page.Scheme is not ("http" or "https") || page.AbsolutePath != "/" || page.Query != "")
            return false;
        if (!Uri.TryCreate($"{page.Scheme}://{host}", UriKind.Absolute, out var server))
            return false;
        return page.Host.Equals(server.Host, StringComparison.OrdinalIgnoreCase) && page.Port == server.Port;
    }
}

/// <summary>What a WebSocket endpoint accepts in a handshake.</summary>
public sealed record HandshakePolicy
{
    /// <summary>Subprotocols this endpoint speaks (Sec-WebSocket-Protocol), e.g. "chat", "json". Empty: none.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Which browser pages may connect.</summary>
    public OriginPolicy Origins { get; init; } = OriginPolicy.Default;

    /// <summary>No subprotocols, the default Origin policy.</summary>
    public static HandshakePolicy Default { get; } = new();
}
