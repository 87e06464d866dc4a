using System.Net;
using System.Net.Sockets;
using Lab01.SocketEcho;

namespace Lab03.HttpPolling;

/// <summary>Which way bytes went, for a wire tap.</summary>
public enum WireDirection
{
    /// <summary>From this client to the server.</summary>
    Sent,
    /// <summary>From the server to this client.</summary>
    Received,
}

/// <summary>
/// One HTTP/1.1 connection from the client's side, on a raw socket: send a
/// request, read its response, and again on the same connection while the
/// server keeps it alive. Every byte is counted at the socket.
/// </summary>
/// <remarks>One request at a time (no pipelining): a second call waits for the first.</remarks>
public sealed class RawHttpConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly HttpResponseParser _parser = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly byte[] _buffer = new byte[16 * 1024];
    private long _bytesSent, _bytesReceived;
    private bool _closed, _detached;

    private RawHttpConnection(Socket socket, IPEndPoint server)
    {
        _socket = socket;
        Server = server;
    }

    /// <summary>The server's endpoint.</summary>
    public IPEndPoint Server { get; }

    /// <summary>The Host field to send: "127.0.0.1:5000".</summary>
    public string Host => Server.ToString();

    /// <summary>Bytes this connection sent, counted at the socket.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes this connection received, counted at the socket.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>
    /// Whether another request may go on this connection: the server did not
    /// say it would close, and has not closed it since (an idle timeout): a
    /// socket that is readable with nothing to read has received the server's FIN.
    /// </summary>
    public bool IsReusable
    {
        get
        {
            if (_closed)
                return false;
            try
            {
                return !(_socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>Called with every chunk sent or received, for transcripts (called on the I/O path: keep it quick).</summary>
    public Action<WireDirection, ReadOnlyMemory<byte>>? Tap { get; set; }

    /// <summary>connect(2) to <paramref name="server"/>.</summary>
    public static async Task<RawHttpConnection> ConnectAsync(IPEndPoint server, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server, cancellation).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new RawHttpConnection(socket, server);
    }

    /// <summary>
    /// connect(2) to <paramref name="host"/> (a name or an address) on
    /// <paramref name="port"/>, trying each address the name resolves to in
    /// turn ("localhost" may give ::1 first, while the server listens on 127.0.0.1).
    /// </summary>
    public static async Task<RawHttpConnection> ConnectAsync(string host, int port, CancellationToken cancellation = default)
    {
        var addresses = await Dns.GetHostAddressesAsync(host, cancellation).ConfigureAwait(false);
        SocketException? refused = null;
        foreach (var address in addresses)
        {
            try
            {
                return await ConnectAsync(new IPEndPoint(address, port), cancellation).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                refused = e;
            }
        }
        throw refused ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>
    /// Hands over the socket, with the bytes received after the last
    /// response, and stops being an HTTP connection. After a 101 those bytes
    /// are the new protocol's (RFC 9110 §7.8). Call it instead of
    /// <see cref="DisposeAsync"/>: the caller owns the socket from then on.
    /// </summary>
    public (Socket Socket, byte[] Received) Detach()
    {
        if (_detached)
            throw new InvalidOperationException("The socket was already handed over.");
        _closed = _detached = true;
        return (_socket, _parser.TakeBuffered());
    }

    /// <summary>Sends <paramref name="request"/> (its complete bytes) and reads the whole response.</summary>
    /// <param name="request">The request bytes, e.g. from <see cref="HttpRequestWriter.Build"/>.</param>
    /// <param name="headRequest">The request is HEAD: its response has no body.</param>
    /// <param name="cancellation">Cancelling leaves the connection unusable (a response may be half read).</param>
    /// <exception cref="IOException">The server closed before answering, or its response is not HTTP.</exception>
    public async Task<ReceivedResponse> SendAsync(ReadOnlyMemory<byte> request, bool headRequest = false, CancellationToken cancellation = default)
    {
        await _oneAtATime.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            _closed = true; // until a whole response has come and says keep-alive
            await _socket.SendAllAsync(request, cancellation).ConfigureAwait(false);
            Interlocked.Add(ref _bytesSent, request.Length);
            Tap?.Invoke(WireDirection.Sent, request);

            ReceivedResponse? response;
            while (!_parser.TryRead(out response, headRequest))
            {
                int n = await _socket.ReceiveAsync(_buffer, SocketFlags.None, cancellation).ConfigureAwait(false);
                if (n == 0)
                {
                    if (_parser.TryFinish(out response))
                    {
                        // A body delimited by the close: the connection is over, whatever its fields say.
                        _closed = true;
                        return response;
                    }
                    throw new IOException("The server closed the connection without answering the request (0-byte read before any response byte).");
                }
                Interlocked.Add(ref _bytesReceived, n);
                Tap?.Invoke(WireDirection.Received, _buffer.AsMemory(0, n).ToArray());
                _parser.Feed(_buffer.AsSpan(0, n));
            }
            _closed = !response.KeepAlive;
            return response;
        }
        catch (InvalidDataException e)
        {
            throw new IOException($"The server's answer is not an HTTP/1.1 response: {e.Message}", e);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>Closes the connection (unless its socket was handed over with <see cref="Detach"/>).</summary>
    public ValueTask DisposeAsync()
    {
        _closed = true;
        if (!_detached)
            _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
