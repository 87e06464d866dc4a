using System.Net.Sockets;

namespace Lab01.SocketEcho.Tests;

/// <summary>The lab's client against a test peer (not the lab's server), so each part is graded on its own (notebook 01 §4-§5).</summary>
public class EchoClientTests
{
    [Fact, Graded(1)]
    public async Task Client_gets_the_whole_echo_even_when_it_arrives_one_byte_at_a_time()
    {
        await using var peer = new TestPeer();
        peer.EchoOneClient();
        await using var proxy = ChaosProxy.Start(peer.EndPoint, new ChaosOptions { ToClient = ChaosMode.OneByteAtATime });
        await using var client = await EchoClient.ConnectAsync(proxy.EndPoint).Within(Limits.Network, $"EchoClient.ConnectAsync({proxy.EndPoint})");

        var payload = "one byte at a time, still one message"u8.ToArray();
        var echo = await client.EchoAsync(payload).Within(Limits.Network,
            "EchoAsync's result (the echo comes in 1-byte pieces: keep receiving until payload.Length bytes are in)", proxy.ToString);

        Expect.SameBytes(echo, payload, "EchoAsync's result, the echo arriving one byte at a time",
            "Notebook 01 §5: one Receive is not one message; ReceiveExactlyAsync loops until the buffer is full", proxy.ToString);
    }

    [Fact, Graded(1)]
    public async Task Client_echoes_a_payload_bigger_than_the_socket_buffers()
    {
        await using var peer = new TestPeer();
        peer.EchoOneClient(bufferSize: 64 * 1024);
        await using var client = await EchoClient.ConnectAsync(peer.EndPoint).Within(Limits.Network, $"EchoClient.ConnectAsync({peer.EndPoint})");
        // Small buffers on both sides (the kernel would otherwise grow them to
        // many MiB on loopback), so that 4 MiB cannot fit in them.
        client.Socket.ReceiveBufferSize = 64 * 1024;
        client.Socket.SendBufferSize = 64 * 1024;
        var payload = new byte[4 << 20];
        new Random(16).NextBytes(payload);

        var echo = await client.EchoAsync(payload).Within(Limits.Network,
            "the echo of 4 MiB. If EchoAsync sends everything before it reads, the echo fills the buffers of both sides, " +
            "the peer stops reading, and both wait for each other forever: send and receive at the same time (Task.WhenAll). Notebook 01 §5");

        Expect.SameBytes(echo, payload, "The echo of 4 MiB", "Notebook 01 §5");
    }

    [Fact, Graded(1)]
    public async Task ReceiveExactly_says_how_many_bytes_came_before_the_peer_closed()
    {
        await using var peer = new TestPeer();
        using var socket = await Loopback.ConnectAsync(peer.EndPoint);
        var accepted = await peer.AcceptAsync();
        await accepted.SendBytesAsync("abc"u8.ToArray(), Limits.Network);
        accepted.Shutdown(SocketShutdown.Send); // 3 bytes, then FIN

        var buffer = new byte[10];
        var error = await Expect.ThrowsAsync<EndOfStreamException>(
            () => socket.ReceiveExactlyAsync(buffer).Within(Limits.Network, "ReceiveExactlyAsync(10 bytes) when the peer sends 3 and closes"),
            "ReceiveExactlyAsync must throw EndOfStreamException when a receive returns 0 (the peer's FIN) before the buffer is full. Notebook 01 §5.");
        error.Message.ShouldContain("3 of 10",
            customMessage: "The message should say how far it got, e.g. \"The peer closed after 3 of 10 bytes.\"");
        Expect.SameBytes(buffer.AsSpan(0, 3), "abc"u8, "The bytes received before the FIN", "Notebook 01 §5");
    }

    [Fact, Graded(1)]
    public async Task CloseAsync_sends_FIN_then_waits_for_the_servers_FIN()
    {
        await using var peer = new TestPeer();
        var accepting = peer.AcceptAsync();
        await using var client = await EchoClient.ConnectAsync(peer.EndPoint).Within(Limits.Network, $"EchoClient.ConnectAsync({peer.EndPoint})");
        var server = await accepting;

        var closing = client.CloseAsync();
        var sawFin = server.ReceiveToEndAsync(0, Limits.Network,
            "the client's FIN (a 0-byte read on the server's side) once CloseAsync began: start with Socket.Shutdown(SocketShutdown.Send)");
        if (await Task.WhenAny(closing, sawFin) == closing)
            await closing; // CloseAsync ended (or failed) before the server even saw the FIN: show why
        await sawFin;

        closing.IsCompleted.ShouldBeFalse(
            "CloseAsync returned before the server closed its side. After Shutdown(Send), keep receiving until a 0-byte read " +
            "(the server's FIN): the server may still be sending. Notebook 01 §4.");

        // The server may still send after the client's FIN (half-close), then closes its side.
        await server.SendBytesAsync("late bytes\n"u8.ToArray(), Limits.Network);
        server.Shutdown(SocketShutdown.Send);
        await closing.Within(Limits.Network, "CloseAsync to return after the server's FIN (its 0-byte read)");
    }
}
