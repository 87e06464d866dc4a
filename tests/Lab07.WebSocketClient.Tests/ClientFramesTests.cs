using System.Text;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The frames a client sends (RFC 6455 §5.2-§5.5; notebook 07 §6): every
/// one masked, with a fresh unpredictable key; the length in its minimal
/// form; the payload unmasks to what the application sent; pings answered
/// with pongs of the same payload, also between the fragments of a message;
/// an unsolicited pong left unanswered. The server reads them with the
/// course's own decoder (<see cref="ScriptedConnection.ReadFrameAsync"/>).
/// </summary>
public class ClientFramesTests
{
    private const string Step = "step 5 (Send) over Lab 06's pump in Role.Client";
    private const string Read = Faults.ReadFrames;
    private const string Hint = "Lab 07 · step 5 (Send/SendAsync queue the message on the pump, which masks each frame: Lab 05 Masking.NewKey, Lab 06 Role.Client). " + Read + ".";

    [Fact, Graded(2, Hint = Hint)]
    public async Task Every_frame_is_masked_with_a_fresh_unpredictable_key()
    {
        const int Count = 200;
        var frames = new List<ClientFrame>();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            for (int i = 0; i < Count; i++)
                frames.Add(await c.ReadFrameAsync($"message {i} of {Count}", Faults.Bound));
            await Faults.AnswerCloseAsync(c);
        });
        await using (var client = await WebSocketClient.ConnectAsync(server.Url("/"), Faults.Options()).Within(Faults.Bound, "ConnectAsync"))
        {
            for (int i = 0; i < Count; i++)
            {
                if (i % 2 == 0)
                    client.Send($"message {i}"); // the browser's send: queued, never waits
                else
                    await client.SendAsync($"message {i}").Within(Faults.Bound, $"SendAsync of message {i}");
            }
            await client.CloseAsync().Within(Faults.Bound, "CloseAsync after 200 messages");
        }
        await Faults.ScriptsDoneAsync(server, null, Step, Read);

        var unmasked = frames.Select((f, i) => (f, i)).FirstOrDefault(p => !p.f.Masked);
        Check.True(unmasked.f is null, $"{Step}: frame {unmasked.i} ({unmasked.f}) is not masked", $"RFC 6455 §5.3: \"a client MUST mask all frames that it sends to the server\"; the server fails the connection with 1002 otherwise.");
        for (int i = 0; i < Count; i++)
            Check.Equal(Encoding.UTF8.GetString(frames[i].Payload), $"message {i}", $"{Step}: frame {i} unmasked with its key {frames[i].MaskingKey:x8}", "RFC 6455 §5.3: byte i of the payload is XORed with byte i mod 4 of the key.");
        var keys = frames.Select(f => f.MaskingKey).ToList();
        int distinct = keys.Distinct().Count();
        Check.True(distinct == Count, $"{Step}: {Count} frames used only {distinct} distinct masking keys (the first: {string.Join(", ", keys.Take(8).Select(k => k.ToString("x8")))})",
            "RFC 6455 §5.3: \"The masking key MUST be derived from a strong source of entropy\", a fresh key for each frame, so that a page's script cannot predict the bytes on the wire (RFC 6455 §10.3).");
        int steps = keys.Zip(keys.Skip(1), (a, b) => b - a).Distinct().Count();
        Check.True(steps > Count / 2, $"{Step}: the masking keys go up in {steps} distinct steps only (a counter?): {string.Join(", ", keys.Take(8).Select(k => k.ToString("x8")))}",
            "RFC 6455 §10.3: the keys must be unpredictable, not a counter: use a CSPRNG (RandomNumberGenerator, Lab 05 Masking.NewKey).");
    }

    public static TheoryData<string, int> Payloads => new()
    {
        { "text", 0 }, { "binary", 0 }, { "text", 125 }, { "binary", 126 }, { "text", 65535 }, { "binary", 65536 }, { "binary", 1 << 20 }, { "text", 1 << 20 }, { "text", -1 },
    };

    [Theory, Graded(2, Hint = Hint)]
    [MemberData(nameof(Payloads))]
    public async Task A_message_arrives_with_its_type_and_bytes_in_minimal_length_frames(string type, int length)
    {
        // Text of ASCII letters (or, for length -1, a short text with 2-, 3- and 4-byte characters); binary of every byte value.
        var bytes = length < 0 ? Encoding.UTF8.GetBytes("héllo ☃ 𝄞")
            : type == "text" ? [.. Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26))]
            : [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7 + i / 256))];
        ClientMessage? got = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            got = await c.ReadMessageAsync($"the {type} message of {bytes.Length} bytes", Faults.Bound);
            await Faults.AnswerCloseAsync(c);
        });
        await using (var client = await WebSocketClient.ConnectAsync(server.Url("/"), Faults.Options()).Within(Faults.Bound, "ConnectAsync"))
        {
            if (type == "text")
                client.Send(Encoding.UTF8.GetString(bytes));
            else
                client.Send(bytes);
            await client.CloseAsync().Within(Faults.Bound, "CloseAsync");
        }
        await Faults.ScriptsDoneAsync(server, null, Step, Read);
        Check.True(got is not null, $"{Step}: no message came", Read);
        string what = $"a {type} message of {bytes.Length} bytes (frames: {string.Join("; ", got.Frames)})";
        Check.Equal(got.Opcode, type == "text" ? 1 : 2, $"{Step}: the opcode of {what}", "RFC 6455 §5.6: 1 for text, 2 for binary.");
        Check.True(got.Payload.AsSpan().SequenceEqual(bytes), $"{Step}: the unmasked payload of {what} differs from what was sent (first difference at byte {FirstDifference(got.Payload, bytes)})",
            "RFC 6455 §5.3: the payload unmasks to exactly the bytes sent.");
        foreach (var frame in got.Frames)
        {
            Check.True(frame.Masked && frame.Rsv == 0, $"{Step}: a frame of {what} is {frame} with RSV {frame.Rsv}", "RFC 6455 §5.2-§5.3: masked, and RSV bits 0 (no extension).");
            int expectedHeader = 2 + (frame.Payload.Length <= 125 ? 0 : frame.Payload.Length <= 0xFFFF ? 2 : 8) + 4;
            Check.Equal(frame.Header.Length, expectedHeader, $"{Step}: the header length of a {frame.Payload.Length}-byte frame (header: {Convert.ToHexString(frame.Header)})",
                "RFC 6455 §5.2: \"the minimal number of bytes MUST be used to encode the length\": 7 bits up to 125, 16 bits up to 65535, else 64 bits; then the 4-byte key.");
        }
    }

    private static int FirstDifference(byte[] a, byte[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int i = 0; i < n; i++)
            if (a[i] != b[i])
                return i;
        return n;
    }

    [Fact, Graded(1, Hint = "Lab 07 · the pump answers pings by itself (Lab 06 step 2, Role.Client: the pong masked). " + Read + ".")]
    public async Task Pings_are_answered_with_masked_pongs_of_the_same_payload()
    {
        byte[][] pings = [[], "hello"u8.ToArray(), [.. Enumerable.Range(0, 125).Select(i => (byte)i)]];
        var pongs = new List<ClientFrame>();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            foreach (var ping in pings)
            {
                await c.SendFrameAsync(0x89, ping);
                pongs.Add(await c.ReadFrameAsync($"the pong for a ping of {ping.Length} bytes", Faults.Bound));
            }
            await c.CloseFromServerAsync(1000, bound: Faults.Bound);
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options());
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step, Read);
            for (int i = 0; i < pings.Length; i++)
            {
                var pong = pongs[i];
                Check.True(pong is { Opcode: 0xA, Fin: true, Masked: true, Rsv: 0 }, $"the answer to a ping of {pings[i].Length} bytes should be a masked pong (FIN, opcode A); it is {pong}",
                    "RFC 6455 §5.5.2: \"Upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response\"; §5.3: masked.");
                Check.True(pong.Payload.AsSpan().SequenceEqual(pings[i]), $"the pong's payload {Convert.ToHexString(pong.Payload)} differs from the ping's {Convert.ToHexString(pings[i])}",
                    "RFC 6455 §5.5.3: \"A Pong frame sent in response to a Ping frame must have identical Application data\".");
            }
            Check.Equal(await events.Closed.Within(Faults.Bound, "the close event", events.Story), new CloseEvent(1000, "", true), "the close event after the pings", $"Pings are not messages. Events: {events.Story()}");
            Check.Equal(events.Messages.Count, 0, "messages delivered for pings", $"Control frames are the pump's; the application sees none. Events: {events.Story()}");
        }
    }

    [Fact, Graded(1, Hint = "Lab 07 · the pump answers pings between fragments (Lab 06 step 2) and the message still assembles (Lab 05). " + Read + "; §5.4.")]
    public async Task A_ping_between_two_fragments_is_answered_at_once_and_the_message_still_assembles()
    {
        ClientFrame? pong = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Glue(Faults.Frame(0x01, "Hel"), Faults.Frame(0x89, "mid")));
            // The last fragment is sent only after the pong: a client that answers pings only between messages never gets it.
            pong = await c.ReadFrameAsync("the pong for a ping between the fragments of a message (the last fragment is still to come)", Faults.Bound);
            await c.SendFrameAsync(0x80, "lo"u8);
            await c.CloseFromServerAsync(1000, bound: Faults.Bound);
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options());
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step, Read + "; §5.4: \"Control frames MAY be injected in the middle of a fragmented message\"");
            await events.Closed.Within(Faults.Bound, "the close event", events.Story);
            Check.True(pong is { Opcode: 0xA, Masked: true, Text: "mid" }, $"the answer to ping \"mid\" between fragments should be a masked pong \"mid\"; it is {pong}", $"{Read}; §5.4.");
            Check.Equal(string.Join("|", events.Messages.Select(m => m.Text)), "Hello", "the message made of \"Hel\" and \"lo\" with a ping between them",
                $"RFC 6455 §5.4: the ping is not part of the message. Events: {events.Story()}");
        }
    }

    [Fact, Graded(1, Hint = "Lab 07 · the pump (Lab 06 step 2): a pong is reported, never answered. " + Read + ".")]
    public async Task An_unsolicited_pong_gets_no_answer()
    {
        ClientFrame? next = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Glue(Faults.Frame(0x8A, "unasked"), Faults.Frame(0x89, "asked")));
            next = await c.ReadFrameAsync("the client's next frame after an unsolicited pong \"unasked\" and a ping \"asked\"", Faults.Bound);
            await c.CloseFromServerAsync(1000, bound: Faults.Bound);
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options());
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step, Read);
            Check.True(next is { Opcode: 0xA, Text: "asked" }, $"after a pong \"unasked\" and a ping \"asked\", the client's first frame should be the pong \"asked\"; it is {next}",
                "RFC 6455 §5.5.3: \"A Pong frame MAY be sent unsolicited. This serves as a unidirectional heartbeat. A response to an unsolicited Pong frame is not expected.\"");
            Check.Equal(await events.Closed.Within(Faults.Bound, "the close event", events.Story), new CloseEvent(1000, "", true), "the close event", $"Events: {events.Story()}");
        }
    }
}
