using System.Net.WebSockets;

namespace Lab06.WebSocketServer.Benchmarks;

/// <summary>
/// The client side of every measurement: .NET's ClientWebSocket, the same for
/// both servers, so a difference in the numbers is the servers'.
/// </summary>
public static class Client
{
    // One handler for every connection: an upgraded connection leaves its pool,
    // so sharing costs nothing, and 5000 idle connections do not make 5000 handlers.
    static readonly HttpMessageInvoker Invoker = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) });

    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, TimeSpan bound)
    {
        var socket = new ClientWebSocket();
        // No client pings or unsolicited pongs (RFC 6455 §5.5.2-3): the only
        // traffic is what a measurement sends.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await socket.ConnectAsync(uri, Invoker, timeout.Token);
            return socket;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            socket.Dispose();
            throw new BenchmarkException($"the handshake with {uri} did not complete within {bound.TotalSeconds:0} s");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one message and reads the echo into <paramref name="receive"/>, then
    /// checks it came back whole, with the same type and bytes. Unbounded: the
    /// caller bounds it (a watchdog aborts the sockets of a stalled run).
    /// </summary>
    public static async Task EchoOnceAsync(ClientWebSocket socket, byte[] payload, WebSocketMessageType type, byte[] receive)
    {
        await socket.SendAsync(payload, type, endOfMessage: true, CancellationToken.None);
        var length = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(receive.AsMemory(length), CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
                throw new BenchmarkException($"the server closed the connection ({(int?)socket.CloseStatus} {socket.CloseStatusDescription}) instead of echoing a {payload.Length}-byte message");
            if (result.MessageType != type)
                throw new BenchmarkException($"sent a {type} message, the echo came back as {result.MessageType}");
            length += result.Count;
            if (result.EndOfMessage)
                break;
            if (length == receive.Length)
                throw new BenchmarkException($"sent {payload.Length} bytes, the echo went on past {length}");
        }
        if (length != payload.Length || !receive.AsSpan(0, length).SequenceEqual(payload))
            throw new BenchmarkException($"sent {payload.Length} bytes, the echo came back as {length} different bytes");
    }

    /// <summary>The closing handshake (RFC 6455 §7.1.2), bounded: true when the server answered the close.</summary>
    public static async Task<bool> CloseAsync(ClientWebSocket socket, TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            if (socket.State == WebSocketState.Open)
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            return socket.State == WebSocketState.Closed;
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            return false;
        }
        finally
        {
            socket.Dispose();
        }
    }
}
