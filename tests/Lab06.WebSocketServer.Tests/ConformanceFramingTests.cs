using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 1: framing (RFC 6455 §5.2, §5.6). Text and binary
/// messages at each edge of the three length forms come back byte for
/// byte, however the bytes are cut into writes.
/// </summary>
public class ConformanceFramingTests
{
    private const string Read = Conformance.Read + "; RFC 6455 §5.2 (base framing: 7-, 16- and 64-bit lengths), §5.6 (data frames)";

    private static readonly int[] Sizes = [0, 125, 126, 127, 65535, 65536, 300_000];

    [Fact, Graded(2, Hint = Read)]
    public async Task Text_and_binary_messages_of_every_length_form_are_echoed_byte_exact()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        foreach (int size in Sizes)
        {
            var text = ClientFrames.AsciiText(size);
            await client.SendAsync(ClientFrames.Text(text), $"a text message of {size} bytes");
            await Conformance.ExpectTextEchoAsync(client, text, $"a text message of {size} bytes", why: Read);

            var data = ClientFrames.RandomBytes(size, seed: size);
            await client.SendAsync(ClientFrames.Binary(data), $"a binary message of {size} bytes");
            await Conformance.ExpectEchoAsync(client, Op.Binary, data, $"a binary message of {size} bytes", why: Read);
        }
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read + "; notebook 06 §2")]
    public async Task Frames_sent_one_byte_per_write_are_echoed()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        var data = ClientFrames.RandomBytes(200, seed: 200);
        await client.SendByteByByteAsync(ClientFrames.Glue(ClientFrames.Text("Hello"), ClientFrames.Binary(data), ClientFrames.Text("κόσμε")),
            "text \"Hello\", 200 bytes of binary (16-bit length), text \"κόσμε\"");
        await Conformance.ExpectTextEchoAsync(client, "Hello", "\"Hello\" sent one byte per write",
            why: Read + ". A read may end anywhere, inside a header too: the decoder keeps what it has (notebook 06 §2)");
        await Conformance.ExpectEchoAsync(client, Op.Binary, data, "200 bytes of binary sent one byte per write", why: Read);
        await Conformance.ExpectTextEchoAsync(client, "κόσμε", "\"κόσμε\" sent one byte per write (each character cut between writes)", why: Read);
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read + "; notebook 06 §2")]
    public async Task Several_frames_glued_in_one_write_are_all_echoed_in_order()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        var messages = Enumerable.Range(1, 20).Select(i => $"message {i}").ToArray();
        await client.SendAsync(ClientFrames.Glue([.. messages.Select(m => ClientFrames.Text(m))]), "20 text frames in one write");
        foreach (var m in messages)
            await Conformance.ExpectTextEchoAsync(client, m, $"\"{m}\" (of 20 glued in one write)",
                why: Read + ". One read may bring many frames: act on each, in order, before reading again");
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read + "; notebook 06 §2")]
    public async Task Frames_that_arrive_with_the_handshake_are_not_lost()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server,
            glued: ClientFrames.Glue(ClientFrames.Text("early"), ClientFrames.Ping("p"u8)));
        // The pong may come before the echo (it is queued as the ping is read; the echo after the handler ran), or after it.
        var frames = new[]
        {
            await client.ReceiveFrameAsync("the first of 2 frames for the text and ping sent with the handshake"),
            await client.ReceiveFrameAsync("the second of 2 frames for the text and ping sent with the handshake"),
        };
        Check.True(frames.Any(f => f.Opcode == Opcode.Text && Encoding.UTF8.GetString(f.Payload.Span) == "early"),
            $"{Conformance.Steps}: expected the echo of \"early\", a text frame sent in the same write as the handshake request",
            Read + ". The bytes behind the request's head are the first frames (WebSocketUpgrade.Connection.Received); the receive loop handles them before it reads.\n" + client.Story());
        Check.True(frames.Any(f => f.Opcode == Opcode.Pong && Encoding.UTF8.GetString(f.Payload.Span) == "p"),
            $"{Conformance.Steps}: expected pong \"p\" for the ping sent with the handshake", Read + "\n" + client.Story());
        await client.CloseAsync();
    }
}
