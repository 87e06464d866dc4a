using System.Net;
using System.Net.Sockets;

namespace Lab01.SocketEcho.Tests;

/// <summary>A clean stop: the listener closed, every connection closed, every task finished (notebook 01 §7).</summary>
public class StopTests
{
    [Fact, Graded(1)]
    public async Task Stop_frees_the_port_for_a_new_server_at_once()
    {
        var first = await EchoServers.StartAsync();
        int port = first.EndPoint.Port;
        try
        {
            using var client = await first.ConnectAsync();
            await EchoServerTests.EchoOnce(first, client, "before the stop\n");

            await first.Server.StopAsync().Within(Limits.Network, "StopAsync (one client still connected)", first.Story);
            await first.Server.StopAsync().Within(Limits.Network, "a second StopAsync, which must be harmless", first.Story);
        }
        finally
        {
            await first.DisposeAsync();
        }

        var second = new EchoServer(new IPEndPoint(IPAddress.Loopback, port));
        try
        {
            second.Start();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new ShouldAssertException(
                $"Port {port} is still in use after StopAsync returned: a new server could not bind it ({e.SocketErrorCode}). " +
                "StopAsync must close the listening socket (_listener.Dispose()). Notebook 01 §7.");
        }
        await using (second)
        {
            using var again = await Loopback.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), Limits.Network);
            var hello = "again\n"u8.ToArray();
            await again.SendBytesAsync(hello, Limits.Network);
            var echo = await again.ReceiveBytesAsync(hello.Length, Limits.Network, "the echo from a new server on the same port");
            Expect.SameBytes(echo, hello, "The echo from the new server on the old port", "Notebook 01 §7");
        }
    }

    [Fact, Graded(2)]
    public async Task Stop_closes_open_connections_and_waits_for_them()
    {
        await using var server = await EchoServers.StartAsync();
        using var a = await server.ConnectAsync();
        using var b = await server.ConnectAsync();
        await EchoServerTests.EchoOnce(server, a, "a\n");
        await EchoServerTests.EchoOnce(server, b, "b\n");
        await server.ConnectionCountBecomes(2, "2 clients connected");

        await server.Server.StopAsync().Within(Limits.Network,
            "StopAsync with 2 idle clients connected (each connection's task waits in ReceiveAsync: cancel the token and close the sockets)",
            server.Story);

        server.Server.ConnectionCount.ShouldBe(0,
            "When StopAsync returns, every connection's task must have finished (await them all). Notebook 01 §7.");
        foreach (var (client, name) in new[] { (a, "client a"), (b, "client b") })
            await client.WaitForCloseAsync(Limits.Network,
                $"{name} to see the server close its connection (a 0-byte read or a reset) after StopAsync", server.Story);
    }
}
