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
        var addresses = IPAddress.TryParse(url.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(url.IdnHost, deadline.Token).ConfigureAwait(false);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, url.Port, deadline.Token).ConfigureAwait(false);
            var request = handshake.BuildRequest();
            await socket.SendAllAsync(request, deadline.Token).ConfigureAwait(false);
            tap?.Invoke(WireDirection.Sent, request);

            var parser = new HttpResponseParser(maxHeadBytes: 16 * 1024, maxBodyLength: 64 * 1024);
            var buffer = new byte[4096];
            ReceivedResponse? response;
            while (!parser.TryRead(out response))
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    parser.TryFinish(out response); // a refusal may be close-delimited
                    if (response is not null)
                        break;
                    throw new HandshakeFailedException(HandshakeFailure.NoResponse, $"{url}: the server closed the connection without answering the handshake.");
                }
                tap?.Invoke(WireDirection.Received, buffer.AsMemory(0, n).ToArray());
                parser.Feed(buffer.AsSpan(0, n));
            }
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
}
