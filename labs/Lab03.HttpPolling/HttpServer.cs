using System.Net;
using System.Net.Sockets;

namespace Lab03.HttpPolling;

/// <summary>Answers one request; the server writes the response. Cancelled when the server stops.</summary>
public delegate Task<HttpResponse> HttpHandler(HttpRequest request, CancellationToken cancellation);

/// <summary>
/// An HTTP/1.1 server on a raw <see cref="Socket"/>: the Lab 01 accept loop,
/// with requests parsed from the byte stream and answered one after the other
/// on each connection, for as long as the client keeps it alive.
/// </summary>
/// <remarks>
/// <para>HttpServer.Connection.cs holds what happens on one connection (the
/// keep-alive loop, the time limits, the close); the application is the
/// <see cref="HttpHandler"/>, which knows nothing of sockets.</para>
/// <para>Thread safety: <see cref="Start"/> once; then any thread may read the
/// counters or call <see cref="StopAsync"/>. <see cref="Log"/> is raised from
/// many threads; handlers must be quick and thread-safe.</para>
/// </remarks>
public sealed partial class HttpServer : IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly HttpHandler _handler;
    private readonly HttpServerOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly Lazy<Task> _stop;
    private readonly object _gate = new();
    private readonly Dictionary<Socket, Task> _connections = [];
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _requests, _bytesReceived, _bytesSent;
    private int _connectionCount;

    /// <summary>Creates a server for <paramref name="endpoint"/> (port 0: any free port) that answers with <paramref name="handler"/>.</summary>
    public HttpServer(IPEndPoint endpoint, HttpHandler handler, HttpServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(handler);
        _endpoint = endpoint;
        _handler = handler;
        _options = options ?? new HttpServerOptions();
        _stop = new Lazy<Task>(StopOnceAsync);
    }

    /// <summary>One line per thing that happens: "127.0.0.1:50312 GET /messages?since=0 → 200, 2 body bytes".</summary>
    public event Action<string>? Log;

    /// <summary>The options in force.</summary>
    public HttpServerOptions Options => _options;

    /// <summary>Where the server listens, with the port the OS picked.</summary>
    public IPEndPoint LocalEndPoint =>
        (IPEndPoint?)_listener?.LocalEndPoint ?? throw new InvalidOperationException("The server has no listening socket yet: call Start() first.");

    /// <summary>Requests answered (error responses included).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Bytes received from every client, counted at the socket.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>Bytes sent to every client, counted at the socket.</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Connections open now.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>socket, bind, listen (as in Lab 01), then accepts in the background. Returns at once.</summary>
    public void Start()
    {
        if (_listener is not null)
            throw new InvalidOperationException("Start() was already called.");
        var listener = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_endpoint);
            listener.Listen(_options.Backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        Emit($"listening on http://{LocalEndPoint}/");
        _acceptLoop = AcceptAsync(listener, _stopping.Token);
    }

    /// <summary>
    /// Stops accepting new connections and leaves the open ones alone (a
    /// graceful shutdown closes them itself, then calls <see cref="StopAsync"/>).
    /// </summary>
    public void StopAccepting()
    {
        _stopAccepting.Cancel();
        _listener?.Dispose();
    }

    /// <summary>Stops accepting, ends every connection (a long poll in progress is cut), and waits for all of it. Safe to call twice.</summary>
    public Task StopAsync() => _stop.Value;

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task AcceptAsync(Socket listener, CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
                {
                    continue; // a client gave up in the backlog
                }
                catch (SocketException e) when (!stopping.IsCancellationRequested && !_stopAccepting.IsCancellationRequested)
                {
                    // Out of file descriptors or buffers (EMFILE, ENOBUFS): the
                    // listener still works once connections close, so wait a
                    // little and accept again rather than stop serving for good.
                    Emit($"accept failed: {e.SocketErrorCode} ({e.Message}); retrying in 100 ms");
                    await Task.Delay(100, stopping).ConfigureAwait(false);
                    continue;
                }
                var serving = Task.Run(() => ServeConnectionAsync(client, stopping), CancellationToken.None);
                lock (_gate)
                    _connections[client] = serving;
                _ = serving.ContinueWith(_ =>
                {
                    lock (_gate)
                        _connections.Remove(client);
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested || _stopAccepting.IsCancellationRequested)
        {
            // StopAsync or StopAccepting: the normal end.
        }
        catch (Exception e)
        {
            Emit($"accept loop failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task StopOnceAsync()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);
        Task[] open;
        lock (_gate)
        {
            open = _connections.Values.ToArray();
            foreach (var client in _connections.Keys)
                client.Dispose();
        }
        await Task.WhenAll(open).ConfigureAwait(false);
        Emit("stopped");
    }

    private void Emit(string line)
    {
        try
        {
            Log?.Invoke(line);
        }
        catch (Exception)
        {
            // Logging never changes what the server does.
        }
    }
}
