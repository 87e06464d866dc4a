using System.Net.Sockets;
using System.Security.Cryptography;

namespace Lab06.WebSocketServer;

/// <summary>
/// The whole server on one port: the learner's Lab 03 HTTP server serves
/// the page at <c>/</c>; the Lab 04 handshake upgrades <c>/echo</c> and
/// <c>/chat</c>; each upgraded connection runs on a
/// <see cref="WebSocketConnection"/> (Lab 05's codec inside) and lives in
/// <see cref="Connections"/>.
/// </summary>
/// <remarks>Thread safety: <see cref="Start"/> once; then any thread may read the pool or call <see cref="ShutdownAsync"/>.</remarks>
public sealed class WebSocketServer : IAsyncDisposable
{
    private readonly HttpServer http;
    private readonly WebSocketEndpoints endpoints;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lazy<Task> shutdown;
    private volatile bool shuttingDown;

    /// <summary>A server with <paramref name="options"/> (the defaults when null). Call <see cref="Start"/>.</summary>
    public WebSocketServer(ServerOptions? options = null)
    {
        Options = options ?? ServerOptions.Default;
        Chat = new ChatRoom(Options.Time);
        var policy = new HandshakePolicy { Subprotocols = ChatRoom.Subprotocols, Origins = OriginPolicy.Allow([.. Options.Origins]) };
        endpoints = new WebSocketEndpoints(BrowserPage.HandleAsync)
            .Map("/echo", (upgrade, ct) => RunAsync(upgrade, EchoAsync, ct), policy)
            .Map("/chat", (upgrade, ct) => RunAsync(upgrade, Chat.OnMessageAsync, ct, Chat.Join, Chat.Leave), policy);
        endpoints.Log += Emit;
        http = new HttpServer(Options.Endpoint, HandleAsync, Options.Handshake.ServerOptions());
        shutdown = new Lazy<Task>(ShutdownOnceAsync);
    }

    /// <summary>The options in force.</summary>
    public ServerOptions Options { get; }

    /// <summary>Every open WebSocket connection, on any path.</summary>
    public ConnectionPool Connections { get; } = new();

    /// <summary>The room behind <c>/chat</c>.</summary>
    public ChatRoom Chat { get; }

    /// <summary>The Lab 03 server underneath (its counters, its log).</summary>
    public HttpServer Http => http;

    /// <summary>Where the server listens, with the port the OS picked (also after a shutdown, for the logs).</summary>
    public IPEndPoint LocalEndPoint => localEndPoint ?? throw new InvalidOperationException("The server is not listening yet: call Start() first.");

    private IPEndPoint? localEndPoint;

    /// <summary>One line per connection opened and closed (id, remote end, close code and reason), and per refusal.</summary>
    public event Action<string>? Log;

    /// <summary>Listens and serves in the background; returns at once.</summary>
    public void Start()
    {
        Connections.Opened += c => Emit($"{c.ShortId} {c.Remote} {c.Path}: open{(c.Subprotocol is { } p ? $", subprotocol {p}" : "")} ({Connections.Count} open)");
        Connections.Closed += (c, closed) => Emit($"{c.ShortId} {c.Remote} {c.Path}: closed, {closed}{(closed.Error is { } e ? $"; {e.GetType().Name}: {e.Message}" : "")} ({Connections.Count} open)");
        http.Start();
        localEndPoint = http.LocalEndPoint;
        Emit($"listening on http://{LocalEndPoint}/ (WebSocket: ws://{LocalEndPoint}/echo and ws://{LocalEndPoint}/chat)");
    }

    /// <summary>
    /// Graceful shutdown: stop accepting, send 1001 (Going Away) to every
    /// connection, wait up to <see cref="ServerOptions.ShutdownTimeout"/> for
    /// their closes, drop the rest, and stop the HTTP server. Safe to call twice.
    /// </summary>
    public Task ShutdownAsync() => shutdown.Value;

    /// <summary>Same as <see cref="ShutdownAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    private async Task ShutdownOnceAsync()
    {
        // BEGIN SOLUTION
        shuttingDown = true;
        http.StopAccepting();
        int open = Connections.Count;
        if (open > 0)
            Emit($"shutting down: 1001 to {open} connection(s), waiting up to {Options.ShutdownTimeout.TotalSeconds:0.##} s");
        // RFC 6455 §7.4.1: 1001 "an endpoint is going away, such as a server going down".
        await Connections.CloseAllAsync(new CloseStatus(CloseCode.GoingAway, "server shutting down"), Options.ShutdownTimeout).ConfigureAwait(false);
        stopping.Cancel();
        await http.StopAsync().ConfigureAwait(false);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 13: set shuttingDown (new handshakes get 503), http.StopAccepting(), then await Connections.CloseAllAsync(a CloseStatus of 1001 GoingAway, Options.ShutdownTimeout) (§7.4.1), stopping.Cancel(), and await http.StopAsync(). Notebook 06 §8.");
    }

    /// <summary>
    /// Every HTTP request: a WebSocket handshake is refused 503 when the
    /// server is full or shutting down, before any upgrade (RFC 9110 §15.6.4;
    /// Retry-After says when to try again); the rest is Lab 04's.
    /// </summary>
    private async Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellation)
    {
        bool handshake = endpoints.Paths.Contains(request.Path) && ServerHandshake.IsUpgradeRequest(request);
        // BEGIN SOLUTION
        if (handshake && (shuttingDown || Connections.Count >= Options.MaxConnections))
        {
            var why = shuttingDown ? "the server is shutting down" : $"the server has its maximum of {Options.MaxConnections} WebSocket connections";
            Emit($"{request.Path}: handshake refused, 503: {why}");
            var refusal = HttpResponse.Text(HttpStatus.ServiceUnavailable, $"503 Service Unavailable: {why}. Try again later.");
            refusal.Headers.Add("Retry-After", "5");
            return refusal;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 13: when handshake is true and (shuttingDown or Connections.Count >= Options.MaxConnections), answer HttpResponse.Text(HttpStatus.ServiceUnavailable, why) with a Retry-After field, before any upgrade (RFC 9110 §15.6.4). Else go on to Lab 04's endpoints below. Notebook 06 §8.");
        var response = await endpoints.HandleAsync(request, cancellation).ConfigureAwait(false);
        if (response.Upgrade is not null && (Options.BreakAccept || AsksToBreakAccept(request)))
            return BreakAccept(response);
        return response;
    }

    /// <summary>Runs one upgraded connection as a member of <see cref="Connections"/>.</summary>
    private async Task RunAsync(WebSocketUpgrade upgrade, MessageHandler onMessage, CancellationToken cancellation,
        Action<WebSocketConnection>? joined = null, Action<WebSocketConnection, ConnectionClosed>? left = null)
    {
        var socket = upgrade.Connection.Socket;
        socket.NoDelay = true; // small frames go at once: WebSocket messages are latency-bound (no Nagle)
        var connection = new WebSocketConnection(new NetworkStream(socket, ownsSocket: true), Role.Server, Options.WebSocket,
            upgrade.Connection.Received, upgrade.Connection.Peer, upgrade.Handshake.Request.Path, upgrade.Handshake.Subprotocol);
        if (Connections.Count >= Options.MaxConnections)
        {
            // Handshakes that passed the 503 check together may overshoot: the latecomers go at once.
            // RFC 6455 §7.4.1 / IANA: 1013 "Try Again Later".
            _ = connection.CloseAsync(new CloseStatus(CloseCode.TryAgainLater, "server full"));
        }
        joined?.Invoke(connection);
        var closed = new ConnectionClosed((int)CloseCode.AbnormalClosure, "", false, ClosedBy.Transport);
        try
        {
            closed = await Connections.RunAsync(connection, onMessage, cancellation).ConfigureAwait(false);
        }
        finally
        {
            left?.Invoke(connection, closed);
        }
    }

    /// <summary>/echo: every message back to its sender, with its type (text stays text, binary stays binary).</summary>
    private static ValueTask EchoAsync(WebSocketConnection connection, Message message, CancellationToken cancellation) =>
        connection.SendAsync(message, cancellation);

    private static bool AsksToBreakAccept(HttpRequest request) =>
        request.Target.IndexOf('?') is int q and >= 0 &&
        request.Target[(q + 1)..].Split('&').Any(part => part.Split('=')[0] == "break-accept");

    /// <summary>
    /// The same 101 with a wrong Sec-WebSocket-Accept, on purpose: the
    /// browser must refuse it ("Incorrect 'Sec-WebSocket-Accept' header
    /// value", RFC 6455 §4.1: the client MUST _Fail the WebSocket Connection_).
    /// </summary>
    private static HttpResponse BreakAccept(HttpResponse response)
    {
        var broken = HttpResponse.SwitchingProtocols("websocket", response.Upgrade!);
        foreach (var (name, value) in response.Headers)
        {
            if (name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                continue;
            // The accept of another key: well-formed, and wrong.
            broken.Headers.Add(name, name.Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase)
                ? WebSocketAccept.Compute(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)))
                : value);
        }
        return broken;
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
