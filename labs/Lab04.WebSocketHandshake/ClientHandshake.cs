using System.Text;

namespace Lab04.WebSocketHandshake;

/// <summary>What a client offers in its handshake.</summary>
public sealed record ClientHandshakeOptions
{
    /// <summary>Subprotocols offered, in order of preference (Sec-WebSocket-Protocol). Empty: none.</summary>
    public IReadOnlyList<string> Subprotocols { get; init; } = [];

    /// <summary>Extensions offered (Sec-WebSocket-Extensions). Empty: none.</summary>
    public IReadOnlyList<ExtensionOffer> Extensions { get; init; } = [];

    /// <summary>The Origin to send, as a browser would (<c>http://localhost:8080</c>); null sends none, as non-browser clients do.</summary>
    public string? Origin { get; init; }

    /// <summary>The time allowed from connect to a complete response.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Why a client fails a handshake (RFC 6455 §4.1, the checks of the server's response).</summary>
public enum HandshakeFailure
{
    /// <summary>The status is not 101: the server refused, or is no WebSocket server.</summary>
    NotSwitchingProtocols,
    /// <summary>Upgrade does not list websocket.</summary>
    MissingUpgrade,
    /// <summary>Connection does not list Upgrade.</summary>
    MissingConnectionUpgrade,
    /// <summary>No Sec-WebSocket-Accept.</summary>
    MissingAccept,
    /// <summary>Sec-WebSocket-Accept is not the value for the key sent.</summary>
    IncorrectAccept,
    /// <summary>Sec-WebSocket-Protocol names a subprotocol the client did not offer, or several.</summary>
    UnofferedSubprotocol,
    /// <summary>Sec-WebSocket-Extensions names an extension the client did not offer.</summary>
    UnofferedExtension,
    /// <summary>A field of the response is malformed, or the response is not HTTP.</summary>
    MalformedResponse,
    /// <summary>No complete response in time, or the server closed without one.</summary>
    NoResponse,
}

/// <summary>A failed handshake, with a message that says what the server sent and what was expected.</summary>
public sealed class HandshakeFailedException(HandshakeFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Why.</summary>
    public HandshakeFailure Failure { get; } = failure;
}

/// <summary>What the server agreed to.</summary>
/// <param name="Subprotocol">The subprotocol to speak, or null.</param>
/// <param name="Extensions">The extensions in force (only ones the client offered).</param>
public sealed record HandshakeResult(string? Subprotocol, IReadOnlyList<ExtensionOffer> Extensions);

/// <summary>
/// The client's side of the opening handshake (RFC 6455 §4.1), Sans-I/O:
/// the request's bytes, and the check of the response. One instance, one
/// handshake: it holds the key it sent, to check the server's answer.
/// </summary>
public sealed class ClientHandshake
{
    /// <summary>A handshake for <paramref name="url"/> (<c>ws://host:port/path?query</c>) with a fresh key.</summary>
    /// <exception cref="ArgumentException">The URL cannot be used for a WebSocket (RFC 6455 §3).</exception>
    /// <exception cref="NotSupportedException">wss: TLS comes in Lab 09.</exception>
    public ClientHandshake(Uri url, ClientHandshakeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
            throw new ArgumentException($"{url} is not an absolute ws:// URL.", nameof(url));
        if (url.Scheme == "wss")
            throw new NotSupportedException($"{url}: wss:// (WebSocket over TLS) comes in Lab 09; use ws://.");
        if (url.Scheme != "ws")
            throw new ArgumentException($"{url}: a WebSocket URL starts with ws:// (RFC 6455 §3).", nameof(url));
        if (url.Fragment.Length > 0)
            throw new ArgumentException($"{url}: a WebSocket URL has no fragment (#...) (RFC 6455 §3).", nameof(url));
        Url = url;
        Options = options ?? new ClientHandshakeOptions();
        // What goes into the request's fields is checked here, once: a CR or LF
        // in a value would end the field and start another (header injection).
        foreach (var protocol in Options.Subprotocols)
            if (!HttpSyntax.IsToken(protocol) || Options.Subprotocols.Count(p => p == protocol) > 1)
                throw new ArgumentException($"Subprotocol {HttpSyntax.Show(protocol)} is not a token, or is offered twice (RFC 6455 §4.1 item 10).", nameof(options));
        foreach (var offer in Options.Extensions)
            if (!HttpSyntax.IsToken(offer.Name) || offer.Parameters.Any(p => !HttpSyntax.IsToken(p.Name) || p.Value is not null && !HttpSyntax.IsToken(p.Value)))
                throw new ArgumentException($"Extension offer {HttpSyntax.Show(offer.ToString())}: names and values must be tokens (RFC 6455 §9.1).", nameof(options));
        if (Options.Origin is { } origin && (origin.Length == 0 || origin.Any(c => c <= ' ' || c >= 0x7f)))
            throw new ArgumentException($"Origin {HttpSyntax.Show(origin)} is not a serialized origin such as http://example.com (RFC 6454 §6.2).", nameof(options));
        Key = WebSocketKey.Generate();
    }

    /// <summary>The URL connected to.</summary>
    public Uri Url { get; }

    /// <summary>What is offered.</summary>
    public ClientHandshakeOptions Options { get; }

    /// <summary>The Sec-WebSocket-Key sent: fresh and random for every handshake.</summary>
    public string Key { get; }

    /// <summary>The only Sec-WebSocket-Accept value that completes this handshake.</summary>
    public string ExpectedAccept => WebSocketAccept.Compute(Key);

    /// <summary>The Host field: host and port, the port left out when it is the default, 80 (RFC 9110 §7.2).</summary>
    public string Host
    {
        get
        {
            // Uri.Host keeps an IPv6 literal's brackets ("[::1]"); IdnHost gives a name in ASCII (punycode).
            string host = Url.HostNameType == UriHostNameType.IPv6 ? Url.Host : Url.IdnHost;
            return Url.IsDefaultPort ? host : $"{host}:{Url.Port}";
        }
    }

    /// <summary>
    /// The request's bytes:
    /// <code>
    /// GET /chat HTTP/1.1
    /// Host: server.example.com
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==
    /// Sec-WebSocket-Version: 13
    /// Sec-WebSocket-Protocol: chat, superchat      (when offered)
    /// Sec-WebSocket-Extensions: permessage-deflate (when offered)
    /// Origin: http://example.com                   (when set)
    /// </code>
    /// every line ending in CRLF, then an empty line.
    /// </summary>
    public byte[] BuildRequest()
    {
        var request = new StringBuilder();
        throw new NotImplementedException("Lab 04 · step 8: append, each line ending in \\r\\n: \"GET {Url.PathAndQuery} HTTP/1.1\" (\"/\" when empty), \"Host: {Host}\", \"Upgrade: websocket\", \"Connection: Upgrade\", \"Sec-WebSocket-Key: {Key}\", \"Sec-WebSocket-Version: 13\"; then, only when there are some, Sec-WebSocket-Protocol (the subprotocols joined with \", \") and Sec-WebSocket-Extensions (ExtensionOffers.Format); Origin when Options.Origin is set; and the empty line. (The key itself comes from WebSocketKey.Generate, also step 8.) Notebook 04 §7, RFC 6455 §4.1.");
        return HttpSyntax.HeaderEncoding.GetBytes(request.ToString());
    }

    /// <summary>
    /// Checks the server's response, in the order of RFC 6455 §4.1: status
    /// 101; Upgrade lists websocket; Connection lists Upgrade;
    /// Sec-WebSocket-Accept is exactly <see cref="ExpectedAccept"/>; every
    /// extension named was offered; a subprotocol, if named, is one and was offered.
    /// </summary>
    /// <exception cref="HandshakeFailedException">The first check that fails: the connection must not be used.</exception>
    public HandshakeResult Validate(ReceivedResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        try
        {
            throw new NotImplementedException("Lab 04 · step 9: throw new HandshakeFailedException(failure, a message with what came and what was expected) at the first failed check: Status is 101 (NotSwitchingProtocols; say the status the server sent); Upgrade lists websocket (MissingUpgrade); Connection lists Upgrade (MissingConnectionUpgrade); Sec-WebSocket-Accept present (MissingAccept) and exactly ExpectedAccept (IncorrectAccept: start the message with \"Incorrect 'Sec-WebSocket-Accept' header value\", as browsers do); every extension in ExtensionOffers.Parse(Sec-WebSocket-Extensions) offered (UnofferedExtension); Sec-WebSocket-Protocol: at most one, and offered, compared exactly (UnofferedSubprotocol). Return new HandshakeResult(the subprotocol or null, the extensions). Notebook 04 §7, RFC 6455 §4.1.");
        }
        catch (HeaderSyntaxException malformed)
        {
            throw new HandshakeFailedException(HandshakeFailure.MalformedResponse, malformed.Message, malformed);
        }
    }

    private static string Quote(string? value) => value is null ? "absent" : HttpSyntax.Show(value);

    /// <summary>": 403 Forbidden: Pages from ... may not" when a refusal says why in a short text body.</summary>
    private static string Explained(ReceivedResponse response)
    {
        var body = response.BodyText.Trim();
        return body.Length is > 0 and <= 300 && !body.Contains('<') ? $" (its body says: {body})" : "";
    }
}
