namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 9 and the rules of the header (RFC 6455 §5.1-§5.2,
/// §10.4): limits decided from the header, large messages within the limit,
/// unmasked client frames and lengths not in their minimal form.
/// </summary>
public class ConformanceLimitsTests
{
    private const string Read = Conformance.Read + "; notebook 06 §8 (limits); RFC 6455 §10.4 (limits), §7.4.1 (1009 \"a message that is too big\")";
    private const string ReadHeader = Conformance.Read + "; notebook 06 §5; RFC 6455 §5.1 (masking), §5.2 (lengths)";

    private static readonly FrameLimits Small = new() { MaxMessageLength = 1000, MaxFragments = 4 };

    [Fact, Graded(2, Hint = Read)]
    public async Task A_message_over_the_limit_fails_with_1009_from_its_header_alone()
    {
        await using var server = Conformance.Start(Small);
        await Conformance.ExpectFailureAsync(server, ClientFrames.Header(0x82, 1001), 1009,
            "the header of a 1001-byte binary frame (MaxMessageLength 1000), and no payload",
            Read + ". The header says it is too big: decide before reading (and storing) a byte of it");
        await Conformance.ExpectFailureAsync(server, ClientFrames.Header(0x81, 1L << 40), 1009,
            "the header of a text frame of 1 TiB, and no payload", Read);
        await Conformance.ExpectFailureAsync(server,
            ClientFrames.Glue(ClientFrames.Binary(new byte[400], fin: false), ClientFrames.Continuation(new byte[400], fin: false), ClientFrames.Header(0x00, 400)), 1009,
            "fragments of 400 + 400 bytes, then the header of a third of 400 (1200 in all, MaxMessageLength 1000)", Read + ". The limit is on the whole message");

        await using var client = await Conformance.ConnectAsync(server);
        var data = ClientFrames.RandomBytes(1000, seed: 1000);
        await client.SendAsync(ClientFrames.Binary(data), "a binary message of exactly 1000 bytes (the limit)");
        await Conformance.ExpectEchoAsync(client, Op.Binary, data, "a message of exactly MaxMessageLength bytes", why: Read + ". At the limit is allowed");
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Too_many_fragments_fail_the_connection_with_1009()
    {
        await using var server = Conformance.Start(Small);
        await using (var client = await Conformance.ConnectAsync(server))
        {
            await client.SendAsync(ClientFrames.Glue(ClientFrames.Text("1", fin: false), ClientFrames.Continuation("2", fin: false), ClientFrames.Continuation("3", fin: false),
                ClientFrames.Continuation("4", fin: true)), "a text message in 4 fragments (MaxFragments 4)");
            await Conformance.ExpectTextEchoAsync(client, "1234", "a message in MaxFragments fragments", why: Read);
            await client.CloseAsync();
        }
        await Conformance.ExpectFailureAsync(server,
            ClientFrames.Glue(ClientFrames.Text("1", fin: false), ClientFrames.Continuation("2", fin: false), ClientFrames.Continuation("3", fin: false),
                ClientFrames.Continuation("4", fin: false), ClientFrames.Continuation("5", fin: true)), 1009,
            "a text message in 5 fragments (MaxFragments 4)", Read + ". Endless empty fragments would cost work for nothing: the fragment count is a limit too");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task With_the_limit_raised_a_16_MiB_message_in_64_KiB_fragments_is_echoed()
    {
        const int size = 16 << 20, fragment = 64 << 10;
        await using var server = Conformance.Start(new FrameLimits { MaxMessageLength = size });
        await using var client = await Conformance.ConnectAsync(server, new FrameLimits { MaxMessageLength = size });
        var data = ClientFrames.RandomBytes(size, seed: 16);
        var frames = new List<byte[]>();
        for (int at = 0; at < size; at += fragment)
            frames.Add(ClientFrames.Frame(at == 0 ? Op.Binary : Op.Continuation, data.AsSpan(at, fragment), fin: at + fragment == size));
        await client.SendAsync(ClientFrames.Glue([.. frames]), "16 MiB of binary in 256 fragments of 64 KiB");
        await Conformance.ExpectEchoAsync(client, Op.Binary, data, "16 MiB in 256 fragments", why: Read + "; notebook 06 §2 (large frames are written from their payload)");
        await client.CloseAsync();
    }

    [Fact, Graded(1, Hint = ReadHeader)]
    public async Task An_unmasked_client_frame_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        await Conformance.ExpectFailureAsync(server, ClientFrames.Text("not masked", key: null), 1002, "an unmasked text frame",
            ReadHeader + ": \"a client MUST mask all frames that it sends to the server\"; \"A server MUST close the connection upon receiving a frame that is not masked\" (.NET's own server lets it pass; ours must not)");
        await Conformance.ExpectFailureAsync(server, ClientFrames.Frame(Op.Ping, "p"u8, key: null), 1002, "an unmasked ping", ReadHeader);
    }

    [Fact, Graded(1, Hint = ReadHeader)]
    public async Task A_length_not_in_its_minimal_form_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        var five = ClientFrames.Frame(Op.Text, "Hello"u8);
        await Conformance.ExpectFailureAsync(server, [.. ClientFrames.Header(0x81, 5, lengthBits: 16), .. five[6..]], 1002,
            "a text frame of 5 bytes with its length in the 16-bit form", ReadHeader + ": \"the minimal number of bytes MUST be used to encode the length\"");
        var big = ClientFrames.Frame(Op.Binary, new byte[300]);
        await Conformance.ExpectFailureAsync(server, [.. ClientFrames.Header(0x82, 300, lengthBits: 64), .. big[8..]], 1002,
            "a binary frame of 300 bytes with its length in the 64-bit form", ReadHeader);
        await Conformance.ExpectFailureAsync(server, ClientFrames.Header(0x82, long.MinValue, lengthBits: 64), 1002,
            "a 64-bit length with its most significant bit set", ReadHeader + ": \"the most significant bit MUST be 0\"");
    }
}
