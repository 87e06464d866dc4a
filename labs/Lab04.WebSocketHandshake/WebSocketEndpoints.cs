namespace Lab04.WebSocketHandshake;

/// <summary>A WebSocket connection that passed its handshake: the connection after the 101, and what was agreed.</summary>
/// <param name="Connection">The socket, with any bytes that came right behind the request.</param>
/// <param name="Handshake">The request and the subprotocol chosen.</param>
public sealed record WebSocketUpgrade(UpgradedConnection Connection, OpeningHandshake Handshake);

/// <summary>Runs one WebSocket connection after its 101. The server closes the socket when the task ends.</summary>
public delegate Task WebSocketHandler(WebSocketUpgrade upgrade, CancellationToken cancellation);

/// <summary>
/// One port for HTTP and WebSocket, as RFC 6455 §1.7 intends: an
/// <see cref="HttpHandler"/> for the Lab 03 server that turns a handshake
/// request for a WebSocket path into a 101 (or a precise refusal), and gives
/// every other request to the ordinary HTTP application.
/// </summary>
/// <example>
/// <code>
/// var endpoints = new WebSocketEndpoints(feed.HandleAsync)
///     .Map("/echo", (upgrade, ct) => ..., new HandshakePolicy { Subprotocols = ["chat"] });
/// var server = new HttpServer(endpoint, endpoints.HandleAsync, HandshakeLimits.Default.ServerOptions());
/// </code>
/// </example>
public sealed class WebSocketEndpoints(HttpHandler http)
{
    private readonly Dictionary<string, (WebSocketHandler Handler, HandshakePolicy Policy)> _routes = new(StringComparer.Ordinal);

    /// <summary>"/echo: 403 Forbidden: Pages from https://evil.example may not..." for every refused handshake.</summary>
    public event Action<string>? Log;

    /// <summary>The paths that accept WebSocket handshakes.</summary>
    public IReadOnlyCollection<string> Paths => _routes.Keys;

    /// <summary>Accepts WebSocket handshakes on <paramref name="path"/> (exact match), under <paramref name="policy"/>.</summary>
    public WebSocketEndpoints Map(string path, WebSocketHandler handler, HandshakePolicy? policy = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(handler);
        _routes.Add(path, (handler, policy ?? HandshakePolicy.Default));
        return this;
    }

    /// <summary>The handler for <see cref="HttpServer"/>: a handshake on a mapped path, or ordinary HTTP.</summary>
    public async Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (!_routes.TryGetValue(request.Path, out var route) || !ServerHandshake.IsUpgradeRequest(request))
            return await http(request, cancellation).ConfigureAwait(false);
        try
        {
            var handshake = ServerHandshake.Negotiate(ServerHandshake.ReadRequest(request), route.Policy);
            return ServerHandshake.Respond(handshake, (connection, ct) => route.Handler(new WebSocketUpgrade(connection, handshake), ct));
        }
        catch (HandshakeRejectedException rejected)
        {
            var response = HandshakeErrors.ResponseFor(rejected);
            Emit($"{request.Path}: handshake refused, {response.Status} {response.Reason}: {rejected.Message}");
            return response;
        }
    }

    private void Emit(string line)
    {
        try
        {
            Log?.Invoke(line);
        }
        catch (Exception)
        {
            // Logging never changes what the server does.
        }
    }
}
