using System.Net;
using System.Net.Sockets;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// One connection on 127.0.0.1 made with raw sockets (none of the lab's code),
/// so that each test grades one step only; disposing closes its three sockets.
/// </summary>
internal sealed class TcpPair : IDisposable
{
    private TcpPair(Socket listener, Socket client, Socket server)
    {
        Listener = listener;
        Client = client;
        Server = server;
        ClientEnd = (IPEndPoint)client.LocalEndPoint!;
        ServerEnd = (IPEndPoint)server.LocalEndPoint!;
    }

    public Socket Listener { get; }

    /// <summary>The side that connected.</summary>
    public Socket Client { get; }

    /// <summary>The side that accept returned.</summary>
    public Socket Server { get; }

    /// <summary>The client's address and port, kept: a closed socket no longer says.</summary>
    public IPEndPoint ClientEnd { get; }

    /// <summary>The server's address and port (the listening port).</summary>
    public IPEndPoint ServerEnd { get; }

    public static async Task<TcpPair> OpenAsync()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(Loopback.AnyPort());
            listener.Listen(1);
            var client = await Loopback.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, Loopback.DefaultBound);
            var server = await Bounded.RunAsync(Loopback.DefaultBound, "the test's listener to accept", ct => listener.AcceptAsync(ct).AsTask());
            return new TcpPair(listener, client, server);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>The states the lab's reader (TcpTable.StateOf) gives for the client's end and the server's end.</summary>
    public (TcpState Client, TcpState Server) States() =>
        (TcpTable.StateOf(ClientEnd, ServerEnd), TcpTable.StateOf(ServerEnd, ClientEnd));

    /// <summary>
    /// Waits, within the bound, until the reader shows <paramref name="client"/> and
    /// <paramref name="server"/>; fails with both the expected and the seen states.
    /// </summary>
    /// <param name="after">What the test did last: "client Shutdown(Send)".</param>
    /// <param name="hint">What to check when the states differ.</param>
    public async Task StatesBecome(TcpState client, TcpState server, string after, string hint)
    {
        var seen = States();
        var deadline = DateTime.UtcNow + Loopback.DefaultBound;
        while (seen != (client, server) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
            seen = States();
        }
        if (seen == (client, server))
            return;
        var noEntry = (seen.Client == TcpState.Closed && client != TcpState.Closed) || (seen.Server == TcpState.Closed && server != TcpState.Closed)
            ? "CLOSED means that the reader (step 2) found no entry: check ParseEndPoint's byte order, and that TcpTable.Find compares both ends. "
            : "";
        throw new ShouldAssertException(
            $"After {after}, expected the client's end in {client.Name()} and the server's end in {server.Name()}; " +
            $"for {Durations.Describe(Loopback.DefaultBound)} the reader said {seen.Client.Name()} and {seen.Server.Name()} " +
            $"(client {ClientEnd}, server {ServerEnd}). {noEntry}{hint}\n{KernelLines()}");
    }

    /// <summary>The kernel's own lines for this connection (both ends), to show in failure messages.</summary>
    public string KernelLines()
    {
        var lines = RawLines();
        return lines.Count == 0
            ? "/proc/net/tcp has no line for this connection."
            : "/proc/net/tcp says:\n" + string.Join("\n", lines.Select(l => "  " + l));
    }

    /// <summary>
    /// The lines of /proc/net/tcp that name both ports of this connection, read
    /// without the lab's reader (empty where there is no /proc).
    /// </summary>
    public List<string> RawLines()
    {
        string[] ports = [$":{ClientEnd.Port:X4} ", $":{ServerEnd.Port:X4} "];
        return File.Exists("/proc/net/tcp")
            ? File.ReadAllLines("/proc/net/tcp").Where(l => ports.All(p => l.Contains(p, StringComparison.Ordinal))).Select(l => l.Trim()).ToList()
            : [];
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
        Listener.Dispose();
    }
}
