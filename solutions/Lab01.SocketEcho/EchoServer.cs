using System.Net;
using System.Net.Sockets;

namespace Lab01.SocketEcho;

/// <summary>
/// A TCP echo server on a raw <see cref="Socket"/>: every byte a client sends
/// comes back to that client, until the client closes its side.
/// </summary>
/// <remarks>
/// <para>The life of the server, in the order of the socket calls (notebook 01 §2):
/// socket → bind → listen (<see cref="Start"/>), then accept in a loop
/// (EchoServer.Accept.cs), one task per connection that receives and sends
/// until the client's FIN (EchoServer.Connection.cs), and close
/// (<see cref="StopAsync"/>).</para>
/// <para>Thread safety: <see cref="Start"/> once, then any thread may read the
/// properties or call <see cref="StopAsync"/>. <see cref="Log"/> is raised from
/// many threads at once; handlers must be thread-safe and quick.</para>
/// </remarks>
public sealed partial class EchoServer : IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly int _backlog;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lazy<Task> _stop;
    private Socket? _listener;
    private IPEndPoint? _localEndPoint;
    private Task _acceptLoop = Task.CompletedTask;

    /// <summary>Creates a server for <paramref name="endpoint"/> (use port 0 for "any free port"). Nothing happens until <see cref="Start"/>.</summary>
    /// <param name="endpoint">Where to listen, e.g. 127.0.0.1:0.</param>
    /// <param name="backlog">
    /// How many connections the kernel may complete and hold for us before we accept
    /// them: the backlog argument of listen(2). Past it, new SYNs are dropped or refused.
    /// </param>
    public EchoServer(IPEndPoint endpoint, int backlog = 128)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        _endpoint = endpoint;
        _backlog = backlog;
        _stop = new Lazy<Task>(StopOnceAsync);
    }

    /// <summary>Raised for each thing the server does: "accepted 127.0.0.1:51234", "127.0.0.1:51234 closed its side (0-byte read) after 6 bytes".</summary>
    public event Action<string>? Log;

    /// <summary>Where the server really listens, with the port the OS picked when the endpoint said 0.</summary>
    /// <exception cref="InvalidOperationException">Before <see cref="Start"/>.</exception>
    public IPEndPoint LocalEndPoint =>
        _localEndPoint ?? throw new InvalidOperationException("The server has no listening socket yet: call Start() first.");

    /// <summary>Connections accepted and not yet closed.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>
    /// Creates the listening socket (socket, bind, listen) and starts the accept
    /// loop in the background. Returns at once.
    /// </summary>
    /// <exception cref="SocketException">The endpoint cannot be bound (AddressAlreadyInUse: another socket listens there).</exception>
    public void Start()
    {
        if (_listener is not null)
            throw new InvalidOperationException("Start() was already called.");
        ObjectDisposedException.ThrowIf(_stop.IsValueCreated, this);

        // BEGIN SOLUTION
        // socket(2): a TCP endpoint (SOCK_STREAM) in the endpoint's address family.
        var listener = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // bind(2): claim (address, port). Port 0 asks the OS for a free one.
            // On Linux .NET sets SO_REUSEADDR before bind (strace shows it), so a
            // port whose old connections sit in TIME_WAIT (RFC 9293 §3.6) can be
            // bound again at once; a port with a live listener cannot (socket(7)).
            listener.Bind(_endpoint);
            // listen(2): from now on the kernel completes handshakes for us and
            // queues up to `backlog` connections until we accept them.
            listener.Listen(_backlog);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 1: create the listening socket: new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp), Bind(_endpoint), Listen(_backlog), and keep it in _listener. Notebook 01 §2 and §3.");

        _localEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        Emit($"listening on {_localEndPoint} (backlog {_backlog})");
        _acceptLoop = RunAcceptLoopAsync(_listener, _stopping.Token);
    }

    /// <summary>
    /// Stops the server: no new connections, every open one closed, every task
    /// finished, the port free again. Safe to call more than once (later calls
    /// wait for the same stop) and before <see cref="Start"/>.
    /// </summary>
    public Task StopAsync() => _stop.Value;

    /// <summary>Same as <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task StopOnceAsync()
    {
        // BEGIN SOLUTION
        // Wake everything that waits with this token: AcceptAsync, and each
        // connection's ReceiveAsync/SendAsync.
        _stopping.Cancel();
        // close(2) on the listening socket: the port is free again, and a SYN
        // that arrives now is answered with RST ("connection refused").
        _listener?.Dispose();
        // After the accept loop has ended, no new connection can appear.
        await _acceptLoop.ConfigureAwait(false);
        // Close what is still open: the client sees end of stream (FIN), or a
        // reset if it had sent bytes we never read (RFC 9293 §3.6).
        var open = OpenConnections();
        foreach (var (client, _) in open)
            client.Dispose();
        await Task.WhenAll(open.Select(connection => connection.Serving)).ConfigureAwait(false);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 4: stop in order: _stopping.Cancel(); close the listener (_listener?.Dispose()); await _acceptLoop; then Dispose() every socket of OpenConnections() and await all their Serving tasks. Notebook 01 §7.");
        Emit("stopped");
    }

    /// <summary>Raises <see cref="Log"/>; a handler that throws must not take the server down.</summary>
    private void Emit(string line)
    {
        try
        {
            Log?.Invoke(line);
        }
        catch (Exception)
        {
            // Logging is for people watching; it never changes what the server does.
        }
    }
}
