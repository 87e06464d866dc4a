using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Course.Tests.Testing;

/// <summary><see cref="Loopback"/>: raw-socket helpers on 127.0.0.1, every wait bounded, every failure explained.</summary>
public class LoopbackTests
{
    private static readonly string NL = Environment.NewLine;

    [Fact]
    public void AnyPort_is_127_0_0_1_port_0()
        => Loopback.AnyPort().ShouldBe(new IPEndPoint(IPAddress.Loopback, 0));

    [Fact]
    public async Task ConnectAsync_to_a_port_nobody_listens_on_throws_an_IOException_naming_the_endpoint()
    {
        // Bound but not listening: the port stays ours, and a SYN to it is refused.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(Loopback.AnyPort());
        var endpoint = (IPEndPoint)closed.LocalEndPoint!;

        var e = await Should.ThrowAsync<IOException>(() => Loopback.ConnectAsync(endpoint, 5.Seconds()));

        e.Message.ShouldStartWith($"Could not connect to {endpoint}: ConnectionRefused");
        e.Message.ShouldEndWith("Is a server listening there (socket, Bind, Listen)?");
    }

    [Fact]
    public async Task ConnectAsync_returns_a_connected_socket_with_NoDelay()
    {
        using var pair = await SocketPair.ConnectAsync();

        pair.Client.Connected.ShouldBeTrue();
        pair.Client.NoDelay.ShouldBeTrue();
    }

    [Fact]
    public async Task SendBytesAsync_and_ReceiveBytesAsync_carry_the_bytes_intact()
    {
        using var pair = await SocketPair.ConnectAsync();
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();

        var receiving = pair.Server.ReceiveBytesAsync(payload.Length, 5.Seconds());
        await pair.Client.SendBytesAsync(payload, 5.Seconds());

        (await receiving).ShouldBe(payload);
    }

    [Fact]
    public async Task ReceiveBytesAsync_reports_a_FIN_before_all_bytes_and_shows_what_came()
    {
        using var pair = await SocketPair.ConnectAsync();
        await pair.Server.SendBytesAsync("abc"u8.ToArray(), 5.Seconds());
        pair.Server.Shutdown(SocketShutdown.Send);

        var e = await Should.ThrowAsync<EndOfStreamException>(() => pair.Client.ReceiveBytesAsync(5, 5.Seconds()));

        e.Message.ShouldBe("Waiting for 5 bytes: the peer closed (0-byte read, its FIN) after 3 of 5 bytes: \"abc\".");
    }

    [Fact]
    public async Task ReceiveBytesAsync_times_out_saying_how_many_bytes_came()
    {
        using var pair = await SocketPair.ConnectAsync();
        await pair.Server.SendBytesAsync("ab"u8.ToArray(), 5.Seconds());

        var e = await Should.ThrowAsync<TimeoutException>(() => pair.Client.ReceiveBytesAsync(5, 100.Milliseconds(), "the greeting", () => "server log: quiet"));

        e.Message.ShouldBe("Timed out after 100 ms waiting for the greeting." + NL + "2 of 5 bytes had arrived: \"ab\"." + NL + "server log: quiet");
    }

    [Fact]
    public async Task ReceiveToEndAsync_returns_everything_up_to_the_FIN()
    {
        using var pair = await SocketPair.ConnectAsync();
        await pair.Server.SendBytesAsync("hello\n"u8.ToArray(), 5.Seconds());
        pair.Server.Shutdown(SocketShutdown.Send);

        Encoding.ASCII.GetString(await pair.Client.ReceiveToEndAsync(100, 5.Seconds())).ShouldBe("hello\n");
    }

    [Fact]
    public async Task ReceiveToEndAsync_rejects_more_than_maxBytes_without_a_FIN()
    {
        using var pair = await SocketPair.ConnectAsync();
        await pair.Server.SendBytesAsync("0123456789"u8.ToArray(), 5.Seconds());

        var e = await Should.ThrowAsync<InvalidDataException>(() => pair.Client.ReceiveToEndAsync(4, 5.Seconds()));

        e.Message.ShouldBe("Waiting for the peer's FIN (a 0-byte read): more than 4 bytes arrived and no FIN: \"01234\".");
    }

    [Fact]
    public async Task ReceiveToEndAsync_times_out_showing_what_came()
    {
        using var pair = await SocketPair.ConnectAsync();
        await pair.Server.SendBytesAsync("hi\r\n"u8.ToArray(), 5.Seconds());

        var e = await Should.ThrowAsync<TimeoutException>(() => pair.Client.ReceiveToEndAsync(100, 100.Milliseconds()));

        e.Message.ShouldBe("Timed out after 100 ms waiting for the peer's FIN (a 0-byte read)." + NL + "4 bytes had arrived: \"hi␍␊\".");
    }

    [Fact]
    public async Task WaitForCloseAsync_sees_a_FIN()
    {
        using var pair = await SocketPair.ConnectAsync();
        pair.Server.Shutdown(SocketShutdown.Send);

        (await pair.Client.WaitForCloseAsync(5.Seconds())).ShouldBe(PeerClose.Fin);
    }

    [Fact]
    public async Task Abort_sends_a_reset_that_WaitForCloseAsync_tells_from_a_FIN()
    {
        using var pair = await SocketPair.ConnectAsync();
        pair.Server.Abort();

        (await pair.Client.WaitForCloseAsync(5.Seconds())).ShouldBe(PeerClose.Reset);
    }
}
