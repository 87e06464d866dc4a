using System.Net.Sockets;
using System.Text;

namespace Lab04.WebSocketHandshake;

/// <summary>
/// What <c>dotnet run</c> serves on one port: the Lab 03 message feed, a
/// page at <c>/</c> that opens a WebSocket from the browser, and the
/// WebSocket endpoint <c>/echo</c>, which in this lab only holds the
/// connection open and logs the bytes it receives (frames come in Lab 05).
/// </summary>
public sealed class HandshakeDemo
{
    private readonly FeedApp _feed;

    /// <summary>A demo over <paramref name="feed"/> (a new feed when null), with <paramref name="policy"/> on /echo.</summary>
    public HandshakeDemo(FeedApp? feed = null, HandshakePolicy? policy = null)
    {
        _feed = feed ?? new FeedApp();
        Policy = policy ?? new HandshakePolicy { Subprotocols = ["chat", "json"] };
        Endpoints = new WebSocketEndpoints(HandleHttpAsync).Map("/echo", HoldOpenAsync, Policy);
        Endpoints.Log += line => Log?.Invoke(line);
    }

    /// <summary>The policy of /echo.</summary>
    public HandshakePolicy Policy { get; }

    /// <summary>The handler to give to <see cref="HttpServer"/>.</summary>
    public WebSocketEndpoints Endpoints { get; }

    /// <summary>Refused handshakes and what upgraded connections receive.</summary>
    public event Action<string>? Log;

    /// <summary>Upgraded connections open now.</summary>
    public int OpenConnections => Volatile.Read(ref _open);

    private int _open;

    /// <summary>
    /// /echo for now: hold the connection until the client closes it (or the
    /// server stops), logging what arrives in hex, a preview of Lab 05's frames.
    /// </summary>
    public async Task HoldOpenAsync(WebSocketUpgrade upgrade, CancellationToken cancellation)
    {
        var connection = upgrade.Connection;
        Interlocked.Increment(ref _open);
        try
        {
            Log?.Invoke($"{connection.Peer} {upgrade.Handshake.Request.Path}: WebSocket open, subprotocol {upgrade.Handshake.Subprotocol ?? "none"}; holding it until the client closes");
            if (!connection.Received.IsEmpty)
                Log?.Invoke($"{connection.Peer} sent {connection.Received.Length} bytes right behind its handshake: {Hex(connection.Received.Span)}");
            var buffer = new byte[4096];
            while (true)
            {
                int n;
                try
                {
                    n = await connection.Socket.ReceiveAsync(buffer, SocketFlags.None, cancellation).ConfigureAwait(false);
                }
                catch (SocketException)
                {
                    return; // reset: gone
                }
                if (n == 0)
                {
                    Log?.Invoke($"{connection.Peer}: the client closed the connection");
                    return;
                }
                Log?.Invoke($"{connection.Peer} sent {n} bytes (WebSocket frames, Lab 05): {Hex(buffer.AsSpan(0, n))}");
            }
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    }

    /// <summary>Ordinary HTTP on the same port: the page, a word about /echo, and the Lab 03 feed.</summary>
    public Task<HttpResponse> HandleHttpAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.Path == "/" && request.Method is "GET" or "HEAD")
            return Task.FromResult(new HttpResponse(HttpStatus.Ok, Encoding.UTF8.GetBytes(Page), "text/html; charset=utf-8"));
        if (request.Path == "/echo")
            return Task.FromResult(HandshakeErrors.ResponseFor(new HandshakeRejectedException(HandshakeError.MissingUpgrade,
                $"/echo is a WebSocket endpoint. Connect with ws://, e.g. new WebSocket(\"ws://{request.Headers.Get("Host")}/echo\") in a browser.")));
        return _feed.HandleAsync(request, cancellation);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) =>
        Convert.ToHexString(bytes[..Math.Min(bytes.Length, 32)]).ToLowerInvariant() + (bytes.Length > 32 ? "…" : "");

    private const string Page = """
        <!doctype html>
        <html lang="en">
        <meta charset="utf-8">
        <title>Lab 04: the WebSocket handshake</title>
        <h1>Lab 04: the WebSocket handshake</h1>
        <p>This page came from your Lab 03 server; the WebSocket below goes to the same port.
           Open the browser's developer tools, Network tab, to see the 101 and its fields.</p>
        <p><button id="open">new WebSocket(…/echo, ["chat", "json"])</button></p>
        <pre id="log"></pre>
        <script>
          const log = text => document.getElementById("log").textContent += text + "\n";
          document.getElementById("open").onclick = () => {
            const ws = new WebSocket(`ws://${location.host}/echo`, ["chat", "json"]);
            log(`readyState ${ws.readyState} (CONNECTING)`);
            ws.onopen = () => log(`open: readyState ${ws.readyState}, protocol "${ws.protocol}", extensions "${ws.extensions}"`);
            ws.onerror = () => log("error (the browser's console says why)");
            ws.onclose = e => log(`close: code ${e.code}, wasClean ${e.wasClean}`);
          };
        </script>
        </html>
        """;
}
