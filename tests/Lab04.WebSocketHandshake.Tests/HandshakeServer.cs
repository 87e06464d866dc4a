namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// The lab's Lab 03 server on 127.0.0.1:0 serving <see cref="HandshakeDemo"/>
/// (the feed, the page, and WebSocket handshakes on /echo), with the
/// handshake limits; stopped (bounded) at dispose.
/// </summary>
internal sealed class HandshakeServer : IAsyncDisposable
{
    private readonly LoopbackServer<HttpServer> _server;

    private HandshakeServer(LoopbackServer<HttpServer> server, HandshakeDemo demo)
    {
        _server = server;
        Demo = demo;
    }

    public HandshakeDemo Demo { get; }

    public HttpServer Server => _server.Server;

    public IPEndPoint EndPoint => _server.EndPoint;

    /// <summary>ws://127.0.0.1:port/echo</summary>
    public Uri EchoUrl => new($"ws://{EndPoint}/echo");

    /// <summary>The server's log, for failure messages.</summary>
    public string Story() => _server.Story();

    /// <summary>The server's and the demo's log lines, to wait on.</summary>
    public LineLog Log => _server.Log;

    /// <summary>Starts a server: /echo with <paramref name="policy"/> (subprotocols chat and json when null), <paramref name="limits"/> (the defaults when null).</summary>
    public static async Task<HandshakeServer> StartAsync(HandshakePolicy? policy = null, HandshakeLimits? limits = null, HttpServerOptions? options = null)
    {
        var demo = new HandshakeDemo(policy: policy);
        var started = await LoopbackServer.StartAsync("the Lab 04 server (Lab 03's HTTP server with WebSocket handshakes)",
            (endpoint, log) =>
            {
                var server = new HttpServer(endpoint, demo.Endpoints.HandleAsync, (limits ?? HandshakeLimits.Default).ServerOptions(options));
                server.Log += log.Add;
                demo.Log += log.Add;
                return server;
            },
            server => { server.Start(); return Task.CompletedTask; },
            server => server.LocalEndPoint,
            server => server.StopAsync());
        return new HandshakeServer(started, demo);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
