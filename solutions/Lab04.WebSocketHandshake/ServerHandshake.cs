namespace Lab04.WebSocketHandshake;

/// <summary>The WebSocket fields of a handshake request, checked (RFC 6455 §4.2.1).</summary>
/// <param name="Path">The resource asked for: "/echo".</param>
/// <param name="Host">The Host field.</param>
/// <param name="Key">Sec-WebSocket-Key, valid.</param>
/// <param name="Origin">The Origin field, or null when the client is not a browser.</param>
/// <param name="OfferedSubprotocols">Sec-WebSocket-Protocol, in the client's order of preference.</param>
/// <param name="OfferedExtensions">Sec-WebSocket-Extensions, in order.</param>
public sealed record HandshakeRequest(
    string Path, string Host, string Key, string? Origin,
    IReadOnlyList<string> OfferedSubprotocols, IReadOnlyList<ExtensionOffer> OfferedExtensions);

/// <summary>A handshake the server accepts: the request, and what was agreed.</summary>
/// <param name="Request">The checked request.</param>
/// <param name="Subprotocol">The subprotocol chosen, or null for none.</param>
public sealed record OpeningHandshake(HandshakeRequest Request, string? Subprotocol)
{
    /// <summary>The Sec-WebSocket-Accept value for the request's key.</summary>
    public string Accept => WebSocketAccept.Compute(Request.Key);

    /// <summary>Extensions in force: none, since this lab declines every offer (Lab 09 accepts permessage-deflate).</summary>
    public IReadOnlyList<ExtensionOffer> Extensions => [];
}

/// <summary>
/// The server's side of the opening handshake, as pure functions from an
/// <see cref="HttpRequest"/> to a decision and a response (Sans-I/O): no
/// socket here, so every rule can be tried with a request built in a test.
/// </summary>
public static class ServerHandshake
{
    /// <summary>
    /// Whether <paramref name="request"/> asks for WebSocket: its Upgrade
    /// lists <c>websocket</c>. Every other request is ordinary HTTP, and a
    /// malformed Upgrade field counts as asking (so that the handshake can say
    /// what is wrong with it). An HTTP/1.0 request never asks: a server must
    /// ignore Upgrade in it (RFC 9110 §7.8).
    /// </summary>
    public static bool IsUpgradeRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Version < HttpVersion.Version11)
            return false;
        try
        {
            return HeaderTokens.Contains("Upgrade", request.Headers.Get("Upgrade"), "websocket", allowVersions: true);
        }
        catch (HeaderSyntaxException)
        {
            return true;
        }
    }

    /// <summary>
    /// Checks a handshake request against RFC 6455 §4.2.1: GET, HTTP/1.1 or
    /// later, Host, <c>Upgrade: websocket</c>, <c>Connection: Upgrade</c>,
    /// <c>Sec-WebSocket-Version: 13</c>, one valid Sec-WebSocket-Key; then
    /// reads the subprotocol and extension offers. The RFC fixes no order;
    /// this one checks the version before the key, because a wrong version
    /// must be answered with the versions the server speaks (§4.2.2, §4.4),
    /// which a 400 about the key would not tell the client.
    /// </summary>
    /// <exception cref="HandshakeRejectedException">The first rule broken, with a message for the client.</exception>
    public static HandshakeRequest ReadRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            // BEGIN SOLUTION
            if (request.Method != "GET")
                throw new HandshakeRejectedException(HandshakeError.MethodNotGet,
                    $"A WebSocket handshake is a GET request; this one is {request.Method} (RFC 6455 §4.1).");
            if (request.Version < HttpVersion.Version11)
                throw new HandshakeRejectedException(HandshakeError.HttpVersionTooOld,
                    $"A WebSocket handshake needs HTTP/1.1 or later; this request is HTTP/{request.Version} (RFC 6455 §4.1).");
            string host = request.Headers.Get("Host")
                ?? throw new HandshakeRejectedException(HandshakeError.MissingHost, "The request has no Host field (RFC 6455 §4.2.1 item 2).");
            if (!HeaderTokens.Contains("Upgrade", request.Headers.Get("Upgrade"), "websocket", allowVersions: true))
                throw new HandshakeRejectedException(HandshakeError.MissingUpgrade,
                    $"Upgrade must list websocket; it is {Quote(request.Headers.Get("Upgrade"))} (RFC 6455 §4.2.1 item 3).");
            if (!HeaderTokens.Contains("Connection", request.Headers.Get("Connection"), "Upgrade"))
                throw new HandshakeRejectedException(HandshakeError.MissingConnectionUpgrade,
                    $"Connection must list Upgrade; it is {Quote(request.Headers.Get("Connection"))} (RFC 6455 §4.2.1 item 4).");
            if (request.Headers.Get("Sec-WebSocket-Version") != HandshakeErrors.Version)
                throw new HandshakeRejectedException(HandshakeError.UnsupportedVersion,
                    $"This server speaks Sec-WebSocket-Version 13; the request says {Quote(request.Headers.Get("Sec-WebSocket-Version"))} (RFC 6455 §4.4).");
            var keys = request.Headers.GetAll("Sec-WebSocket-Key");
            if (keys.Count == 0)
                throw new HandshakeRejectedException(HandshakeError.MissingKey, "The request has no Sec-WebSocket-Key (RFC 6455 §4.2.1 item 5).");
            if (keys.Count > 1)
                throw new HandshakeRejectedException(HandshakeError.MissingKey, $"The request has {keys.Count} Sec-WebSocket-Key fields; exactly one is allowed (RFC 6455 §11.3.1).");
            if (!WebSocketKey.IsValid(keys[0]))
                throw new HandshakeRejectedException(HandshakeError.InvalidKey,
                    $"Sec-WebSocket-Key {Quote(keys[0])} is not base64 for 16 bytes (24 characters ending in \"==\"; RFC 6455 §4.2.1 item 5).");
            var subprotocols = HeaderTokens.ParseList("Sec-WebSocket-Protocol", request.Headers.Get("Sec-WebSocket-Protocol"));
            var extensions = ExtensionOffers.Parse(request.Headers.Get(ExtensionOffers.Field));
            return new HandshakeRequest(request.Path, host, keys[0], request.Headers.Get("Origin"), subprotocols, extensions);
            // END SOLUTION
            // STARTER: throw new NotImplementedException("Lab 04 · step 5: check, in this order, and throw new HandshakeRejectedException(error, a message that says what was wrong and cites the RFC) at the first failure: Method is GET (MethodNotGet); Version >= HttpVersion.Version11 (HttpVersionTooOld); a Host field (MissingHost); Upgrade lists websocket (HeaderTokens.Contains(..., allowVersions: true); MissingUpgrade); Connection lists Upgrade (MissingConnectionUpgrade); Sec-WebSocket-Version is exactly \"13\" (UnsupportedVersion); exactly one Sec-WebSocket-Key (MissingKey), and WebSocketKey.IsValid (InvalidKey). Then the offers: HeaderTokens.ParseList of Sec-WebSocket-Protocol, ExtensionOffers.Parse of Sec-WebSocket-Extensions. Return new HandshakeRequest(request.Path, host, key, Origin or null, subprotocols, extensions). Notebook 04 §4, RFC 6455 §4.2.1.");
        }
        catch (HeaderSyntaxException malformed)
        {
            throw new HandshakeRejectedException(HandshakeError.MalformedHeader, malformed.Message);
        }
    }

    /// <summary>
    /// Applies <paramref name="policy"/>: the Origin must be allowed (else
    /// 403), and the subprotocol is chosen (<see cref="ChooseSubprotocol"/>).
    /// Extension offers are declined, by not naming any in the response.
    /// </summary>
    /// <exception cref="HandshakeRejectedException">The Origin is not allowed.</exception>
    public static OpeningHandshake Negotiate(HandshakeRequest request, HandshakePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        // BEGIN SOLUTION
        if (!policy.Origins.IsAllowed(request.Origin, request.Host))
            throw new HandshakeRejectedException(HandshakeError.ForbiddenOrigin,
                $"Pages from {request.Origin} may not open a WebSocket to this server (RFC 6455 §10.2).");
        return new OpeningHandshake(request, ChooseSubprotocol(request.OfferedSubprotocols, policy.Subprotocols));
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 6: if !policy.Origins.IsAllowed(request.Origin, request.Host), throw new HandshakeRejectedException(HandshakeError.ForbiddenOrigin, \"Pages from {origin} may not ...\"); else return new OpeningHandshake(request, ChooseSubprotocol(request.OfferedSubprotocols, policy.Subprotocols)). Notebook 04 §5-§6, RFC 6455 §4.2.2 item 4.");
    }

    /// <summary>
    /// The subprotocol to speak: the first of the client's offers (its order
    /// of preference) that the server supports, compared exactly (subprotocol
    /// names are case-sensitive); null when none is offered or supported.
    /// The server never names one the client did not offer (RFC 6455 §4.2.2 item 5.4).
    /// </summary>
    public static string? ChooseSubprotocol(IReadOnlyList<string> offered, IReadOnlyList<string> supported)
    {
        // BEGIN SOLUTION
        foreach (var protocol in offered)
            if (supported.Contains(protocol, StringComparer.Ordinal))
                return protocol;
        return null;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 6: return the first protocol in offered (the client's order) that supported contains, compared with StringComparer.Ordinal; null when there is none. Notebook 04 §5, RFC 6455 §4.2.2.");
    }

    /// <summary>
    /// The 101 response that completes the handshake (RFC 6455 §4.2.2 item 5):
    /// <code>
    /// HTTP/1.1 101 Switching Protocols
    /// Upgrade: websocket
    /// Connection: Upgrade
    /// Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=
    /// Sec-WebSocket-Protocol: chat            (only when one was chosen)
    /// </code>
    /// after which <paramref name="session"/> runs on the connection.
    /// </summary>
    public static HttpResponse Respond(OpeningHandshake handshake, UpgradeHandler session)
    {
        ArgumentNullException.ThrowIfNull(handshake);
        ArgumentNullException.ThrowIfNull(session);
        // BEGIN SOLUTION
        var response = HttpResponse.SwitchingProtocols("websocket", session);
        response.Headers.Add("Sec-WebSocket-Accept", handshake.Accept);
        if (handshake.Subprotocol is { } subprotocol)
            response.Headers.Add("Sec-WebSocket-Protocol", subprotocol);
        // No Sec-WebSocket-Extensions: an offer not echoed is declined (RFC 6455 §9.1).
        return response;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 7: HttpResponse.SwitchingProtocols(\"websocket\", session) gives 101 with Upgrade and Connection; add Sec-WebSocket-Accept (handshake.Accept) and, only when one was chosen, Sec-WebSocket-Protocol. Name no extension: that declines them all. Notebook 04 §3, RFC 6455 §4.2.2 item 5.");
    }

    private static string Quote(string? value) => value is null ? "absent" : HttpSyntax.Show(value);
}
