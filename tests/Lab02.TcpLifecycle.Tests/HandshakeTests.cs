using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// The three-way handshake belongs to the kernels (RFC 9293 §3.5): connect
/// returns after the SYN+ACK, and the server's kernel completes the connection
/// with no Accept at all (notebook 02 §2).
/// </summary>
public class HandshakeTests
{
    private const string Read = "Notebook 02 §2; RFC 9293 §3.5 (the three-way handshake)";

    [Fact, Graded(2, Hint = Read)]
    public async Task Connect_succeeds_before_anyone_calls_Accept()
    {
        using var listener = Handshake.Listen(Loopback.AnyPort(), backlog: 4);
        var server = (IPEndPoint)listener.LocalEndPoint!;
        Check.True(server.Port != 0, "Handshake.Listen (step 1) returned a socket with no port: call Bind before Listen.",
            "Its LocalEndPoint then has the port the OS picked for 127.0.0.1:0. " + Read + ".");

        using var client = await Handshake.ConnectAsync(server).Within(Loopback.DefaultBound,
            $"Handshake.ConnectAsync({server}) while nobody calls Accept: the server's kernel answers the SYN by itself once Listen was called");
        Check.True(client.Connected, "Handshake.ConnectAsync (step 1) returned a socket that is not connected.", "Await socket.ConnectAsync before returning it. " + Read + ".");

        // The connection is complete: bytes can go before the server program even takes it.
        await client.SendBytesAsync("hello"u8.ToArray(), Loopback.DefaultBound, "\"hello\" to be sent before any Accept");

        using var accepted = await Bounded.RunAsync(Loopback.DefaultBound, "Accept to return the connection waiting in the backlog",
            ct => listener.AcceptAsync(ct).AsTask());
        Check.Equal(accepted.RemoteEndPoint, client.LocalEndPoint, "The remote end of the socket Accept returned",
            "Accept returns the client's connection, seen from the other end. " + Read + ".");
        var hello = await accepted.ReceiveBytesAsync(5, Loopback.DefaultBound, "\"hello\", sent before Accept, now read from the accepted socket");
        Check.Equal(Encoding.ASCII.GetString(hello), "hello", "The bytes sent before Accept", "They waited in the kernel, in the new connection's receive buffer. " + Read + ".");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Connections_wait_in_the_backlog_until_Accept_takes_them_oldest_first()
    {
        using var listener = Handshake.Listen(Loopback.AnyPort(), backlog: 4);
        var server = (IPEndPoint)listener.LocalEndPoint!;
        var clients = new List<Socket>();
        var accepted = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
                clients.Add(await Handshake.ConnectAsync(server).Within(Loopback.DefaultBound, $"client {i}'s ConnectAsync, with nobody calling Accept"));

            for (int i = 0; i < 3; i++)
                accepted.Add(await Bounded.RunAsync(Loopback.DefaultBound, $"Accept number {i + 1}", ct => listener.AcceptAsync(ct).AsTask()));

            Check.Equal(string.Join(", ", accepted.Select(a => a.RemoteEndPoint)), string.Join(", ", clients.Select(c => c.LocalEndPoint)),
                "The clients Accept returned, in order",
                "Three clients connected (step 1) before any Accept; the backlog is a queue, so Accept returns them in the order they connected. " + Read + ".");
        }
        finally
        {
            clients.Concat(accepted).ToList().ForEach(s => s.Dispose());
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Connect_where_nobody_listens_is_refused()
    {
        // A port that is bound but not listening: its kernel answers a SYN with RST.
        using var bound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        bound.Bind(Loopback.AnyPort());
        var endpoint = (IPEndPoint)bound.LocalEndPoint!;

        SocketException? refused = null;
        try
        {
            using var client = await Handshake.ConnectAsync(endpoint).Within(Loopback.DefaultBound, $"Handshake.ConnectAsync({endpoint}), where nobody listens");
        }
        catch (SocketException e)
        {
            refused = e;
        }

        Check.True(refused is not null, $"Handshake.ConnectAsync (step 1) to {endpoint}, where nobody listens, returned a socket.",
            "Its kernel answers the SYN with RST: let the SocketException out (after disposing your socket). " + Read + ".");
        Check.Equal(refused.SocketErrorCode, SocketError.ConnectionRefused, "The SocketException's error code", "RST in answer to a SYN means \"connection refused\". " + Read + ".");
    }
}
