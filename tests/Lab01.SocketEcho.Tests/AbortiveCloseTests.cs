namespace Lab01.SocketEcho.Tests;

/// <summary>An abortive close (RST, RFC 9293 §3.6 "ABORT") ends one connection, never the server.</summary>
public class AbortiveCloseTests
{
    [Fact, Graded(2)]
    public async Task A_client_that_resets_does_not_take_the_server_down()
    {
        await using var server = await EchoServers.StartAsync();

        // One client resets while the server waits in Receive.
        var idle = await server.ConnectAsync();
        await EchoServerTests.EchoOnce(server, idle, "about to vanish\n");
        idle.Abort(); // SO_LINGER {on, 0 s}, then close: RST instead of FIN

        // Another resets in the middle of an echo, with bytes unread on both sides.
        var busy = await server.ConnectAsync();
        await busy.SendBytesAsync(new byte[64 * 1024], Limits.Network, "64 KiB to be sent", server.Story);
        busy.Abort();

        await server.ConnectionCountBecomes(0,
            "both reset connections to be forgotten: a receive or send on a reset socket throws SocketException (ConnectionReset); " +
            "that ends this connection's task only");

        using var polite = await server.ConnectAsync();
        await EchoServerTests.EchoOnce(server, polite, "still there?\n");
    }
}
