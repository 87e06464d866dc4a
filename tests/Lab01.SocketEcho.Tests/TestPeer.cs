using System.Net;
using System.Net.Sockets;

namespace Lab01.SocketEcho.Tests;

/// <summary>
/// The other end for tests of the lab's client: a listening socket on
/// 127.0.0.1:0 whose behaviour the test scripts (echo, send and close, ...),
/// so a client test depends on no part of the learner's server.
/// </summary>
internal sealed class TestPeer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly List<Socket> _accepted = [];
    private readonly List<Task> _tasks = [];

    public TestPeer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(Loopback.AnyPort());
        _listener.Listen(16);
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Accepts the next connection, within the bound.</summary>
    public async Task<Socket> AcceptAsync()
    {
        var socket = await Bounded.RunAsync(Limits.Network, $"a client to connect to the test peer on {EndPoint}",
            ct => _listener.AcceptAsync(ct).AsTask());
        socket.NoDelay = true;
        lock (_accepted)
            _accepted.Add(socket);
        return socket;
    }

    /// <summary>
    /// In the background: accept one connection, echo everything until its FIN,
    /// then send our FIN. Socket buffers can be made small, so that a big
    /// payload cannot fit in them.
    /// </summary>
    public void EchoOneClient(int? bufferSize = null)
    {
        if (bufferSize is int size)
        {
            // Inherited by the accepted socket; set before the handshake so the
            // advertised window is small from the start.
            _listener.ReceiveBufferSize = size;
            _listener.SendBufferSize = size;
        }
        lock (_tasks)
            _tasks.Add(Task.Run(async () =>
            {
                var socket = await AcceptAsync();
                var buffer = new byte[8192];
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None);
                    if (n == 0)
                        break;
                    await socket.SendBytesAsync(buffer.AsMemory(0, n), Limits.Network, "the test peer's echo to be sent");
                }
                socket.Shutdown(SocketShutdown.Send);
            }));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Dispose();
        lock (_accepted)
            _accepted.ForEach(s => s.Dispose());
        Task[] tasks;
        lock (_tasks)
            tasks = [.. _tasks];
        try
        {
            await Task.WhenAll(tasks).Within(Limits.Network, "the test peer to stop");
        }
        catch (Exception) when (tasks.All(t => t.IsCompleted))
        {
            // The peer's own errors (a reset from a failing client) are not the test's outcome.
        }
    }
}
