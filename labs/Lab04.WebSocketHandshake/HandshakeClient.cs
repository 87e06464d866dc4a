using System.Net.Sockets;
using Lab01.SocketEcho;

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
/// The client's handshake on a real socket: connect, send
/// <see cref="ClientHandshake.BuildRequest"/>, read the response with the Lab
/// 03 response parser, and check it with <see cref="ClientHandshake.Validate"/>.
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
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            var addresses = IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(url.IdnHost, deadline.Token).ConfigureAwait(false);
            await socket.ConnectAsync(addresses, url.Port, deadline.Token).ConfigureAwait(false);
            var request = handshake.BuildRequest();
            await socket.SendAllAsync(request, deadline.Token).ConfigureAwait(false);
            tap?.Invoke(WireDirection.Sent, request);

            // The head decides: a 101 has no body, and a refusal fails the
            // handshake whatever its body (chunked, close-delimited, huge), so
            // the head is read as if it answered HEAD: no body expected.
            var parser = new HttpResponseParser(maxHeadBytes: 16 * 1024);
            var buffer = new byte[4096];
            ReceivedResponse? response;
            while (!parser.TryRead(out response, headRequest: true))
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (n == 0)
                    throw new HandshakeFailedException(HandshakeFailure.NoResponse, $"{url}: the server closed the connection without answering the handshake.");
                tap?.Invoke(WireDirection.Received, buffer.AsMemory(0, n).ToArray());
                parser.Feed(buffer.AsSpan(0, n));
            }
            if (response.Status != HttpStatus.SwitchingProtocols)
                response = await WithShortBodyAsync(socket, response, parser.TakeBuffered(), buffer, tap, deadline.Token).ConfigureAwait(false);
            var result = handshake.Validate(response);
            return new HandshakeConnection(socket, handshake, response, result, parser.TakeBuffered());
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            socket.Dispose();
            throw new HandshakeFailedException(HandshakeFailure.NoResponse,
                $"{url}: no complete handshake response within {handshake.Options.Timeout.TotalSeconds:0.##} s.");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            socket.Dispose();
            throw new HandshakeFailedException(HandshakeFailure.MalformedResponse, $"{url}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A refusal's body, when it is short and says its length (a server that
    /// refuses usually says why in a line of text): read it, briefly, so that
    /// the error can quote it. Anything else, or any trouble, leaves it empty.
    /// </summary>
    private static async Task<ReceivedResponse> WithShortBodyAsync(Socket socket, ReceivedResponse head, byte[] held, byte[] buffer,
        Action<WireDirection, ReadOnlyMemory<byte>>? tap, CancellationToken cancellation)
    {
        if (!int.TryParse(head.Headers.Get("Content-Length"), out int length) || length is <= 0 or > 4096 || head.Headers.Contains("Transfer-Encoding"))
            return head;
        var body = new List<byte>(held);
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
