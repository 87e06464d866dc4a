namespace Lab03.HttpPolling.Tests;

/// <summary>The lab's server running the lab's feed on 127.0.0.1:0, stopped (bounded) at dispose.</summary>
internal sealed class FeedServer : IAsyncDisposable
{
    private readonly LoopbackServer<HttpServer> _server;

    private FeedServer(LoopbackServer<HttpServer> server, FeedApp app)
    {
        _server = server;
        App = app;
    }

    public FeedApp App { get; }

    public HttpServer Server => _server.Server;

    public IPEndPoint EndPoint => _server.EndPoint;

    /// <summary>The server's log, for failure messages.</summary>
    public string Story() => _server.Story();

    /// <summary>Starts a server over <paramref name="app"/> (a new FeedApp when null), with <paramref name="options"/>.</summary>
    public static async Task<FeedServer> StartAsync(HttpServerOptions? options = null, FeedApp? app = null, HttpHandler? handler = null)
    {
        app ??= new FeedApp();
        var started = await LoopbackServer.StartAsync("the HTTP server",
            (endpoint, log) =>
            {
                var server = new HttpServer(endpoint, handler ?? app.HandleAsync, options);
                server.Log += log.Add;
                return server;
            },
            server => { server.Start(); return Task.CompletedTask; },
            server => server.LocalEndPoint,
            server => server.StopAsync());
        return new FeedServer(started, app);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
