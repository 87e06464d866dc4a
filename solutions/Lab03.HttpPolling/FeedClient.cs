using System.Globalization;
using System.Net;
using System.Text;

namespace Lab03.HttpPolling;

/// <summary>
/// The feed's client on raw sockets: publish, and get the messages after an
/// id, at once or waiting. It keeps one connection alive between requests
/// and opens a new one when the server closes it. Bytes are counted over
/// every connection it opened.
/// </summary>
public sealed class FeedClient : IAsyncDisposable
{
    private RawHttpConnection? _connection;
    private long _bytesSent, _bytesReceived; // of connections already closed
    private int _requests, _connections;

    /// <summary>A client of the feed at <paramref name="server"/>, sending the fields of <paramref name="profile"/> (minimal when null).</summary>
    public FeedClient(IPEndPoint server, RequestProfile? profile = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        Server = server;
        Profile = profile ?? RequestProfile.Minimal;
    }

    /// <summary>The server.</summary>
    public IPEndPoint Server { get; }

    /// <summary>The fields sent with every request.</summary>
    public RequestProfile Profile { get; }

    /// <summary>Requests sent.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>TCP connections opened (1 while the server keeps the connection alive).</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Bytes sent, counted at the socket, over every connection.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent) + (_connection?.BytesSent ?? 0);

    /// <summary>Bytes received, counted at the socket, over every connection.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived) + (_connection?.BytesReceived ?? 0);

    /// <summary>Called with every chunk sent or received, on every connection.</summary>
    public Action<WireDirection, ReadOnlyMemory<byte>>? Tap { get; set; }

    /// <summary>POST /messages: publishes <paramref name="text"/>; returns the message with its id.</summary>
    public async Task<FeedMessage> PublishAsync(string text, CancellationToken cancellation = default)
    {
        var body = Encoding.UTF8.GetBytes(FeedJson.WritePublish(text));
        var response = await SendAsync("POST", "/messages", body, retry: false, cancellation).ConfigureAwait(false);
        Expect(response, HttpStatus.Created, "POST /messages");
        return FeedJson.ReadMessage(response.BodyText);
    }

    /// <summary>
    /// GET /messages?since=N: the messages after <paramref name="since"/>;
    /// with <paramref name="wait"/>, the server holds the request until there
    /// is one or the wait is over (then the list is empty).
    /// </summary>
    public async Task<IReadOnlyList<FeedMessage>> GetAsync(long since, TimeSpan? wait = null, CancellationToken cancellation = default)
    {
        var target = wait is { } w
            ? string.Create(CultureInfo.InvariantCulture, $"/messages?since={since}&wait={w.TotalSeconds:0.###}")
            : string.Create(CultureInfo.InvariantCulture, $"/messages?since={since}");
        var response = await SendAsync("GET", target, null, retry: true, cancellation).ConfigureAwait(false);
        Expect(response, HttpStatus.Ok, "GET " + target);
        return FeedJson.ReadMessages(response.BodyText);
    }

    /// <summary>
    /// Sends on the kept-alive connection, or a new one. A GET that fails on a
    /// reused connection is tried once more on a fresh one: the server may
    /// have closed an idle connection just as we sent (RFC 9112 §9.3.1 lets a
    /// client retry an idempotent request).
    /// </summary>
    private async Task<ReceivedResponse> SendAsync(string method, string target, byte[]? body, bool retry, CancellationToken cancellation)
    {
        for (int attempt = 1; ; attempt++)
        {
            var (connection, reused) = await ConnectionAsync(cancellation).ConfigureAwait(false);
            var request = HttpRequestWriter.Build(method, target, connection.Host, Profile, body, body is null ? null : "application/json");
            Interlocked.Increment(ref _requests);
            try
            {
                var response = await connection.SendAsync(request, method == "HEAD", cancellation).ConfigureAwait(false);
                if (!connection.IsReusable)
                    await CloseConnectionAsync().ConfigureAwait(false);
                return response;
            }
            catch (Exception)
            {
                await CloseConnectionAsync().ConfigureAwait(false);
                if (cancellation.IsCancellationRequested || !reused || !retry || attempt > 1)
                    throw;
            }
        }
    }

    /// <summary>The kept-alive connection if the server still keeps it, else a new one; and which it is.</summary>
    private async Task<(RawHttpConnection Connection, bool Reused)> ConnectionAsync(CancellationToken cancellation)
    {
        if (_connection is { IsReusable: true })
            return (_connection, true);
        await CloseConnectionAsync().ConfigureAwait(false);
        _connection = await RawHttpConnection.ConnectAsync(Server, cancellation).ConfigureAwait(false);
        _connection.Tap = (direction, bytes) => Tap?.Invoke(direction, bytes);
        Interlocked.Increment(ref _connections);
        return (_connection, false);
    }

    private async Task CloseConnectionAsync()
    {
        if (_connection is null)
            return;
        Interlocked.Add(ref _bytesSent, _connection.BytesSent);
        Interlocked.Add(ref _bytesReceived, _connection.BytesReceived);
        await _connection.DisposeAsync().ConfigureAwait(false);
        _connection = null;
    }

    private static void Expect(ReceivedResponse response, int status, string request)
    {
        if (response.Status != status)
            throw new IOException($"{request} answered {response.Status} {response.Reason}, expected {status}: {response.BodyText.Trim()}");
    }

    /// <summary>Closes the connection.</summary>
    public ValueTask DisposeAsync() => new(CloseConnectionAsync());
}
