using System.Net.Sockets;

namespace Lab04.WebSocketHandshake;

/// <summary>A connection whose handshake succeeded: the socket now speaks WebSocket.</summary>
public sealed class HandshakeConnection : IAsyncDisposable
{
    internal HandshakeConnection(Socket socket, ClientHandshake handshake, ReceivedResponse response, HandshakeResult result, byte[] received)
    {
        Socket = socket;
        Handshake = handshake;
        Response = response;
        Result = result;
        Received = received;
    }

    /// <summary>The connection. Frames come in Lab 05.</summary>
    public Socket Socket { get; }

    /// <summary>The handshake sent (its key, its offers).</summary>
    public ClientHandshake Handshake { get; }

    /// <summary>The server's 101.</summary>
    public ReceivedResponse Response { get; }

    /// <summary>The subprotocol and extensions agreed.</summary>
    public HandshakeResult Result { get; }

    /// <summary>Bytes that came right behind the 101 (a server may send a frame at once): the first bytes of the WebSocket stream.</summary>
    public ReadOnlyMemory<byte> Received { get; }

    /// <summary>Closes the socket (no closing handshake yet: that is Lab 06-07).</summary>
    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The client's handshake on a real socket: Lab 03's <see cref="RawHttpConnection"/>
/// sends <see cref="ClientHandshake.BuildRequest"/> and reads the response
/// head, <see cref="ClientHandshake.Validate"/> checks it, and the socket is
/// handed over for WebSocket.
/// </summary>
public static class HandshakeClient
{
    /// <summary>Opens a WebSocket connection to <paramref name="url"/> (<c>ws://127.0.0.1:8080/echo</c>).</summary>
    /// <param name="url">Where.</param>
    /// <param name="options">What to offer; the timeout.</param>
    /// <param name="tap">Called with the bytes sent and received, for transcripts.</param>
    /// <param name="cancellation">Cancels connecting.</param>
    /// <exception cref="HandshakeFailedException">The server refused, broke the handshake, or did not answer in time.</exception>
    /// <exception cref="SocketException">The connection could not be made.</exception>
    public static async Task<HandshakeConnection> ConnectAsync(Uri url, ClientHandshakeOptions? options = null,
        Action<WireDirection, ReadOnlyMemory<byte>>? tap = null, CancellationToken cancellation = default)
    {
        var handshake = new ClientHandshake(url, options);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(handshake.Options.Timeout);
        RawHttpConnection? http = null;
        Socket? socket = null;
        try
        {
            http = await RawHttpConnection.ConnectAsync(url.DnsSafeHost, url.Port, deadline.Token).ConfigureAwait(false);
            http.Tap = tap;
            // The head decides: a 101 has no body, and a refusal fails the
            // handshake whatever its body (chunked, close-delimited, huge), so
            // the head is read as if it answered HEAD: no body expected.
            var response = await http.SendAsync(handshake.BuildRequest(), headRequest: true, deadline.Token).ConfigureAwait(false);
            (socket, var received) = http.Detach();
            if (response.Status != HttpStatus.SwitchingProtocols)
                response = await WithShortBodyAsync(socket, response, received, tap, deadline.Token).ConfigureAwait(false);
            else if (response.Version < HttpVersion.Version11)
                // The upgrade is HTTP/1.1's (RFC 9110 §7.8): an HTTP/1.0 peer has no 101.
                throw new HandshakeFailedException(HandshakeFailure.MalformedResponse,
                    $"{url}: the server answered \"HTTP/{response.Version} 101\"; a 101 Switching Protocols exists only in HTTP/1.1 (RFC 9110 §7.8, §15.2.2).");
            var result = handshake.Validate(response);
            var connection = new HandshakeConnection(socket, handshake, response, result, received);
            socket = null; // the connection owns it now
            return connection;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new HandshakeFailedException(HandshakeFailure.NoResponse,
                $"{url}: no complete handshake response within {handshake.Options.Timeout.TotalSeconds:0.##} s.");
        }
        catch (IOException e)
        {
            // RawHttpConnection: the server closed without answering, or its answer is not HTTP.
            throw new HandshakeFailedException(e.InnerException is InvalidDataException ? HandshakeFailure.MalformedResponse : HandshakeFailure.NoResponse,
                $"{url}: {e.Message}", e);
        }
        finally
        {
            socket?.Dispose();
            if (http is not null)
                await http.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A refusal's body, when it is short and says its length (a server that
    /// refuses usually says why in a line of text): read it, briefly, so that
    /// the error can quote it. Anything else, or any trouble, leaves it empty.
    /// </summary>
    private static async Task<ReceivedResponse> WithShortBodyAsync(Socket socket, ReceivedResponse head, byte[] held,
        Action<WireDirection, ReadOnlyMemory<byte>>? tap, CancellationToken cancellation)
    {
        if (!int.TryParse(head.Headers.Get("Content-Length"), out int length) || length is <= 0 or > 4096 || head.Headers.Contains("Transfer-Encoding"))
            return head;
        var body = new List<byte>(held);
        var buffer = new byte[4096];
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        grace.CancelAfter(TimeSpan.FromMilliseconds(500));
        try
        {
            while (body.Count < length)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, grace.Token).ConfigureAwait(false);
                if (n == 0)
                    break;
                tap?.Invoke(WireDirection.Received, buffer.AsMemory(0, n).ToArray());
                body.AddRange(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // No body in time: the status alone says the handshake failed.
        }
        return body.Count >= length ? head with { Body = body.GetRange(0, length).ToArray() } : head;
    }
}
