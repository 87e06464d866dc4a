using System.Net.Sockets;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// A Lab 06 server on 127.0.0.1, port 0, with its log kept for failure
/// messages; disposing it shuts it down gracefully, bounded in time.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(WebSocketServer server, LineLog log)
    {
        Server = server;
        Log = log;
    }

    /// <summary>The server under test.</summary>
    public WebSocketServer Server { get; }

    /// <summary>Its log lines (opened, closed, refused), for failure messages.</summary>
    public LineLog Log { get; }

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint => Server.LocalEndPoint;

    /// <summary>ws://127.0.0.1:PORT/path</summary>
    public Uri Ws(string path = "/echo") => new($"ws://{EndPoint}{path}");

    /// <summary>http://127.0.0.1:PORT/path</summary>
    public Uri Http(string path = "/") => new($"http://{EndPoint}{path}");

    /// <summary>
    /// Starts a server with <paramref name="options"/> (the defaults, on
    /// 127.0.0.1:0, when null; an Endpoint in the options is replaced by 127.0.0.1:0).
    /// </summary>
    public static TestServer Start(ServerOptions? options = null)
    {
        options = (options ?? new ServerOptions()) with { Endpoint = Loopback.AnyPort() };
        var log = new LineLog("server log");
        var server = new WebSocketServer(options);
        server.Log += log.Add;
        server.Start();
        return new TestServer(server, log);
    }

    /// <summary>A raw TCP connection to the server (for handshakes and frames written byte by byte).</summary>
    public Task<Socket> ConnectRawAsync() => Loopback.ConnectAsync(EndPoint);

    /// <summary>The log, for a failure message.</summary>
    public string Context() => Log.Describe();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Server.ShutdownAsync().Within(TimeSpan.FromSeconds(15), "the server's shutdown (ShutdownAsync)", Context);
        }
        catch (NotImplementedException)
        {
            // Step 13 is not done yet: stop the HTTP server the hard way, so
            // that the test's own failure, not this one, is what the learner sees.
            await Server.Http.StopAsync().Within(TimeSpan.FromSeconds(15), "the HTTP server's stop (StopAsync)", Context);
        }
    }
}
