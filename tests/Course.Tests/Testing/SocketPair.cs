using System.Net;
using System.Net.Sockets;

namespace Course.Tests.Testing;

/// <summary>Two connected TCP sockets on 127.0.0.1, for tests of socket helpers.</summary>
internal sealed class SocketPair : IDisposable
{
    private SocketPair(Socket client, Socket server)
    {
        Client = client;
        Server = server;
    }

    /// <summary>The side that connected.</summary>
    public Socket Client { get; }

    /// <summary>The side that accepted.</summary>
    public Socket Server { get; }

    public static async Task<SocketPair> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(Loopback.AnyPort());
        listener.Listen(1);
        var client = await Loopback.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, 5.Seconds());
        var server = await listener.AcceptAsync().Within(5.Seconds(), "the test listener to accept");
        return new SocketPair(client, server);
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}
