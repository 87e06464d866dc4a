using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 2: ping and pong (RFC 6455 §5.5.2, §5.5.3). A ping
/// gets a pong with the same payload, in order; a ping over 125 bytes fails
/// the connection; an unsolicited pong gets nothing.
/// </summary>
public class ConformancePingTests
{
    private const string Read = Conformance.Read + "; notebook 06 §3; RFC 6455 §5.5 (control frames), §5.5.2 (ping), §5.5.3 (pong)";

    [Fact, Graded(1, Hint = Read)]
    public async Task Pings_of_0_and_125_bytes_get_pongs_with_the_same_payload()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        foreach (var payload in new[] { Array.Empty<byte>(), ClientFrames.RandomBytes(125, seed: 125), "Hello"u8.ToArray() })
        {
            await client.SendAsync(ClientFrames.Ping(payload), $"a ping of {payload.Length} bytes");
            var pong = await client.ReceiveFrameAsync($"the pong for a ping of {payload.Length} bytes (step 2)");
            Check.True(pong.Opcode == Opcode.Pong && pong.Payload.Span.SequenceEqual(payload),
                $"step 2: the answer to a ping of {payload.Length} bytes: expected a pong with the same payload, got {pong}",
                Read + ". \"a Pong frame sent in response to a Ping frame must have identical Application data\".\n" + client.Story());
        }
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_ping_of_126_bytes_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        await Conformance.ExpectFailureAsync(server, ClientFrames.Ping(new byte[126]), 1002, "a ping of 126 bytes",
            Read + ": \"All control frames MUST have a payload length of 125 bytes or less\"");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task An_unsolicited_pong_gets_no_answer()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Pong("heartbeat"u8), "an unsolicited pong \"heartbeat\"");
        await client.SendAsync(ClientFrames.Text("after the pong"), "text \"after the pong\"");
        await Conformance.ExpectTextEchoAsync(client, "after the pong", "the text sent after an unsolicited pong (nothing may come before it)", "step 2",
            Read + ". \"A response to an unsolicited Pong frame is not expected\": report it, send nothing");
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Ten_pings_then_a_message_give_ten_pongs_in_order_then_the_echo()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        for (int i = 0; i < 10; i++)
            await client.SendAsync(ClientFrames.Ping(Encoding.ASCII.GetBytes($"ping {i}")), $"ping {i}");
        await client.SendAsync(ClientFrames.Text("after ten pings"), "text \"after ten pings\"");
        for (int i = 0; i < 10; i++)
        {
            var pong = await client.ReceiveFrameAsync($"pong {i} of 10 (step 2)");
            Check.True(pong.Opcode == Opcode.Pong && Encoding.ASCII.GetString(pong.Payload.Span) == $"ping {i}",
                $"step 2: frame {i} after 10 pings: expected pong \"ping {i}\", got {pong}",
                Read + ". Each ping is answered, in the order the pings came.\n" + client.Story());
        }
        await Conformance.ExpectTextEchoAsync(client, "after ten pings", "the text sent after 10 pings", "step 2", Read);
        await client.CloseAsync();
    }
}
