using System.Net.WebSockets;
using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The lab's codec against .NET's own WebSocket (System.Net.WebSockets, over
/// an in-memory stream; notebook 05 §9): .NET's frames decode to the messages
/// .NET sent, and .NET receives the messages the lab's encoder wrote, both
/// ways, close frames included. .NET is an independent implementation: where
/// both agree on random masks, every length form and fragments, the codec
/// speaks RFC 6455 as others do.
/// </summary>
/// <remarks>
/// .NET is not a perfect oracle. Checked on .NET 10: it accepts a length
/// that is not in its minimal form (a 16-bit field holding 5), which RFC 6455
/// §5.2 forbids and the lab's decoder refuses (ungraded
/// <see cref="Dotnet_accepts_a_length_that_is_not_minimal"/>), and it reports
/// a close frame without a code as NormalClosure (1000) where §7.1.5 says
/// 1005. It does refuse, like the lab, an unmasked frame from a client
/// (ungraded <see cref="Dotnet_refuses_an_unmasked_frame_from_a_client"/>),
/// though only once it holds 6 bytes: it reads a header as if a key were there.
/// </remarks>
public class DifferentialTests
{
    private const string Read = "Notebook 05 §9; RFC 6455 §5.2-§5.5";

    private static readonly int[] Lengths = [0, 1, 125, 126, 65535, 65536];

    /// <summary>A text or binary message of <paramref name="length"/> bytes (text with characters of every UTF-8 length).</summary>
    private static byte[] Data(WebSocketMessageType type, int length) =>
        type == WebSocketMessageType.Text ? Encoding.UTF8.GetBytes(PayloadText.OfLength(length)) : PayloadText.RandomBytes(length, seed: length);

    // WebSocketMessageType's values are not opcodes (Text is 0, Binary 1): map them by name.
    private static Opcode OpcodeOf(WebSocketMessageType type) => type == WebSocketMessageType.Text ? Opcode.Text : Opcode.Binary;

    private static MessageType MessageTypeOf(WebSocketMessageType type) => type == WebSocketMessageType.Text ? MessageType.Text : MessageType.Binary;

    private static string Describe(WebSocketMessageType type, int length) => $"a {type.ToString().ToLowerInvariant()} message of {length} bytes";

    private static void ExpectSame(Message? message, WebSocketMessageType type, byte[] data, string what)
    {
        Check.True(message is not null, $"step 9: {what}: expected a message from the frames, got none (MessageAssembler.Add returned null)", Read);
        Check.Equal(message.Type, MessageTypeOf(type), $"step 9: the type of {what}", Read);
        PayloadExpect.SameBytes(message.Data.Span, data, $"steps 8 and 9: the data of {what}", Read + ". Every byte .NET sent, unmasked, in order.");
    }

    private static void ExpectSame(DotnetMessage received, WebSocketMessageType type, byte[] data, string what)
    {
        Check.Equal(received.Type, type, $"step 3: the type .NET received for {what}", Read + ". The opcode of the first frame (§5.2).");
        PayloadExpect.SameBytes(received.Data, data, $"step 3: the data .NET received for {what}", Read + ". What .NET read is what the frames said: the opcode of the first frame, FIN on the last, the length field, and the payload unmasked with the key in the header.");
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Messages_from_dotnets_client_decode_to_the_messages_it_sent()
    {
        await using var peer = new DotnetPeer(Role.Client);
        var decoder = new FrameDecoder(Role.Server);
        var assembler = new MessageAssembler();
        foreach (var type in new[] { WebSocketMessageType.Text, WebSocketMessageType.Binary })
        {
            foreach (int length in Lengths)
            {
                var data = Data(type, length);
                string what = Describe(type, length) + " from .NET's client (masked with its own random key)";
                await peer.SendAsync(data, type, endOfMessage: true, what);
                var frame = await peer.ReadFrameAsync(decoder, what);
                ExpectSame(assembler.Add(frame), type, data, what);
            }
        }

        // A message in pieces: SendAsync with endOfMessage false gives a frame without FIN, then continuation frames.
        var text = Encoding.UTF8.GetBytes("Grüße 😀, fragmented by .NET");
        int[] cuts = [0, 3, 9, 10, text.Length]; // 3 and 10 fall inside ü and 😀
        string fragmented = "a text message .NET sent in 4 pieces (two of them cut inside a character)";
        Message? message = null;
        for (int i = 0; i + 1 < cuts.Length; i++)
        {
            bool last = i + 2 == cuts.Length;
            await peer.SendAsync(text.AsMemory(cuts[i], cuts[i + 1] - cuts[i]), WebSocketMessageType.Text, endOfMessage: last, fragmented);
            var frame = await peer.ReadFrameAsync(decoder, $"piece {i + 1} of {fragmented}");
            Check.Equal(frame.Fin, last, $"step 8: FIN of piece {i + 1} of {fragmented}", Read);
            message = assembler.Add(frame);
            if (!last)
                Check.True(message is null, $"step 9: MessageAssembler.Add of piece {i + 1} of {fragmented}: expected null before the last piece", Read);
        }
        ExpectSame(message, WebSocketMessageType.Text, text, fragmented);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Dotnets_client_receives_what_our_server_encodes_and_answers_our_ping()
    {
        await using var peer = new DotnetPeer(Role.Client);
        foreach (var type in new[] { WebSocketMessageType.Text, WebSocketMessageType.Binary })
        {
            foreach (int length in Lengths)
            {
                var data = Data(type, length);
                string what = Describe(type, length) + " from our server";
                await peer.WriteAsync(FrameEncoder.Encode(new Frame(OpcodeOf(type), data), Role.Server), what);
                ExpectSame(await peer.ReceiveMessageAsync(what), type, data, what);
            }
        }

        // Fragments with a ping between them: .NET answers the ping with a pong while it receives the message.
        var ping = "are you there?"u8.ToArray();
        string fragmented = "\"Hello, world\" in 3 fragments with a ping after the first";
        byte[] wire =
        [
            .. FrameEncoder.Encode(Frame.Text("Hello", fin: false), Role.Server),
            .. FrameEncoder.Encode(Frame.Ping(ping), Role.Server),
            .. FrameEncoder.Encode(Frame.Continuation(", "u8.ToArray(), fin: false), Role.Server),
            .. FrameEncoder.Encode(Frame.Continuation("world"u8.ToArray(), fin: true), Role.Server),
        ];
        await peer.WriteAsync(wire, fragmented);
        ExpectSame(await peer.ReceiveMessageAsync(fragmented), WebSocketMessageType.Text, "Hello, world"u8.ToArray(), fragmented);

        var pong = await peer.ReadFrameAsync(new FrameDecoder(Role.Server), "the pong .NET's client sends for our ping");
        Check.Equal(pong.Opcode, Opcode.Pong, "steps 5-7: the opcode of .NET's answer to our ping", Read + "; RFC 6455 §5.5.2-§5.5.3.");
        PayloadExpect.SameBytes(pong.Payload.Span, ping, "steps 5-7: the payload of .NET's pong (masked by .NET, unmasked by our decoder)", Read + ". A pong carries the ping's payload.");

        var big = PayloadText.RandomBytes(5000, seed: 9);
        var frames = Message.FromBinary(big).ToFrames(1000).Select(f => FrameEncoder.Encode(f, Role.Server)).SelectMany(b => b).ToArray();
        await peer.WriteAsync(frames, "5000 bytes of binary in 5 fragments");
        ExpectSame(await peer.ReceiveMessageAsync("5000 bytes of binary in 5 fragments"), WebSocketMessageType.Binary, big, "5000 bytes of binary in 5 fragments");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Dotnets_server_receives_what_our_client_encodes_and_we_decode_what_it_sends()
    {
        await using var peer = new DotnetPeer(Role.Server);
        var decoder = new FrameDecoder(Role.Client);
        var assembler = new MessageAssembler();
        foreach (var type in new[] { WebSocketMessageType.Text, WebSocketMessageType.Binary })
        {
            foreach (int length in Lengths)
            {
                var data = Data(type, length);
                string what = Describe(type, length) + " from our client (masked with a fresh random key)";
                await peer.WriteAsync(FrameEncoder.Encode(new Frame(OpcodeOf(type), data), Role.Client), what);
                ExpectSame(await peer.ReceiveMessageAsync(what), type, data, what);

                string back = Describe(type, length) + " from .NET's server";
                await peer.SendAsync(data, type, endOfMessage: true, back);
                ExpectSame(assembler.Add(await peer.ReadFrameAsync(decoder, back)), type, data, back);
            }
        }

        var text = Message.FromText(PayloadText.OfLength(200));
        string fragmented = "a 200-byte text message from our client in fragments of 7 bytes (some cut inside characters)";
        var wire = text.ToFrames(7).SelectMany(f => FrameEncoder.Encode(f, Role.Client)).ToArray();
        await peer.WriteAsync(wire, fragmented);
        ExpectSame(await peer.ReceiveMessageAsync(fragmented), WebSocketMessageType.Text, text.Data.ToArray(), fragmented);
    }

    [Fact, Graded(1, Hint = Read + "; notebook 05 §8; RFC 6455 §5.5.1")]
    public async Task Dotnet_reads_our_close_frames()
    {
        (CloseStatus Status, WebSocketCloseStatus Code, string Reason)[] cases =
        [
            (new CloseStatus(CloseCode.NormalClosure, "bye"), WebSocketCloseStatus.NormalClosure, "bye"),
            (new CloseStatus(4000, "Grüße 😀"), (WebSocketCloseStatus)4000, "Grüße 😀"),
            // A close with no code: .NET reports NormalClosure (1000), where RFC 6455 §7.1.5 says 1005 (our CloseStatus.ReportedCode).
            (CloseStatus.Empty, WebSocketCloseStatus.NormalClosure, ""),
        ];
        foreach (var (status, code, reason) in cases)
        {
            await using var peer = new DotnetPeer(Role.Client);
            string what = $"our server's close frame {status}";
            await peer.WriteAsync(FrameEncoder.Encode(Frame.Close(status), Role.Server), what);
            var received = await peer.ReceiveMessageAsync(what);
            Check.Equal(received.Type, WebSocketMessageType.Close, $"step 10: the type .NET received for {what}", Read);
            Check.Equal(peer.Socket.CloseStatus, code, $"step 10: .NET's CloseStatus after {what}", Read + ". The code is 2 bytes, big-endian (CloseStatus.ToPayload).");
            Check.Equal(peer.Socket.CloseStatusDescription ?? "", reason, $"step 10: .NET's CloseStatusDescription after {what}", Read + ". The reason follows the code, in UTF-8.");

            // .NET answers with its own close; our decoder reads it. Our server has closed TCP already (§7.1.1).
            peer.EndOfStream();
            await peer.Socket.CloseOutputAsync(code, "ok", CancellationToken.None)
                .Within(DotnetPeer.Bound, ".NET's client to send its close (CloseOutputAsync)");
            var answer = await peer.ReadFrameAsync(new FrameDecoder(Role.Server), ".NET's close frame");
            Check.Equal(answer.Opcode, Opcode.Close, "steps 5-7: the opcode of .NET's answer to our close", Read);
        }
    }

    [Fact, Graded(1, Hint = Read + "; notebook 05 §8; RFC 6455 §5.5.1, §7.4")]
    public async Task We_read_dotnets_close_frames()
    {
        (WebSocketCloseStatus Code, string? Reason, int Expected, string ExpectedReason)[] cases =
        [
            (WebSocketCloseStatus.NormalClosure, "bye", 1000, "bye"),
            (WebSocketCloseStatus.EndpointUnavailable, null, 1001, ""),
            ((WebSocketCloseStatus)4001, "done 😀", 4001, "done 😀"),
        ];
        foreach (var (code, reason, expected, expectedReason) in cases)
        {
            await using var peer = new DotnetPeer(Role.Client);
            string what = $".NET's client's CloseAsync({expected}, {(reason is null ? "null" : $"\"{reason}\"")})";
            // CloseAsync sends a close frame, then waits for ours.
            var closing = peer.Socket.CloseAsync(code, reason, CancellationToken.None);
            var frame = await peer.ReadFrameAsync(new FrameDecoder(Role.Server), "the close frame of " + what);
            Check.Equal(frame.Opcode, Opcode.Close, $"steps 5-7: the opcode of the frame of {what}", Read);
            var status = CloseStatus.Parse(frame.Payload.Span);
            Check.Equal(status.Code, expected, $"step 10: CloseStatus.Parse of the payload of {what}, {PayloadExpect.Show(frame.Payload.Span)}: the Code", Read);
            Check.Equal(status.Reason, expectedReason, $"step 10: CloseStatus.Parse of the payload of {what}: the Reason", Read);

            // Our answer completes .NET's closing handshake.
            await peer.WriteAsync(FrameEncoder.Encode(Frame.Close(status), Role.Server), "our close, the answer to " + what);
            peer.EndOfStream(); // the server closes TCP after the closing handshake (§7.1.1)
            await closing.Within(DotnetPeer.Bound, $"{what} to complete after our answer");
            Check.Equal(peer.Socket.State, WebSocketState.Closed, $"steps 3 and 10: .NET's State after our answer to {what}", Read + "; RFC 6455 §5.5.1 (the closing handshake).");
            Check.Equal((int?)peer.Socket.CloseStatus, expected, $"steps 3 and 10: the code .NET read from our answer to {what}", Read);
        }
    }

    // Not graded: what .NET itself does, on this machine, where the lab is stricter or the same.

    /// <summary>RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length". .NET does not check; the lab's decoder refuses (NonMinimalLength, FrameHeaderTests).</summary>
    [Fact]
    public async Task Dotnet_accepts_a_length_that_is_not_minimal()
    {
        await using var peer = new DotnetPeer(Role.Client);
        var nonMinimal = Wire.Bytes("81 7e 00 05 48 65 6c 6c 6f"); // "Hello" with its length in the 16-bit field
        await peer.WriteAsync(nonMinimal, "a text frame whose 16-bit length is 5");
        var received = await peer.ReceiveMessageAsync("a text frame whose 16-bit length is 5");
        Check.Equal(Encoding.UTF8.GetString(received.Data), "Hello", ".NET's client receiving [81 7e 00 05 ...] (a length of 5 in 16 bits)",
            "This test documents .NET's behaviour: if it fails, .NET became stricter; update the remark on DifferentialTests.");
    }

    /// <summary>RFC 6455 §5.1: a server MUST close the connection on an unmasked frame. .NET does so (with 1002), as the lab does (UnmaskedFrame).</summary>
    [Fact]
    public async Task Dotnet_refuses_an_unmasked_frame_from_a_client()
    {
        await using var peer = new DotnetPeer(Role.Server);
        // 7 bytes: .NET reads 6 (a header with a key) before it looks at the MASK bit, so a 2-byte frame alone would make it wait.
        await peer.WriteAsync(Wire.UnmaskedHello, "an unmasked text frame, as from a client");
        Exception? refused = null;
        try
        {
            await peer.ReceiveMessageAsync("an unmasked frame from a client", explainRefusal: false);
        }
        catch (WebSocketException e)
        {
            refused = e;
        }
        Check.True(refused is not null, ".NET's server receiving an unmasked frame: expected a WebSocketException",
            "This test documents .NET's behaviour: if it fails, .NET became laxer; update the remark on DifferentialTests.");

        var close = await peer.ReadBytesAsync(4, ".NET's close frame after the unmasked frame");
        Check.Equal(Wire.Hex(close), "88 02 03 ea", ".NET's server's answer to an unmasked frame (a close 1002, Protocol Error)",
            "This test documents .NET's behaviour: if it fails, .NET answers differently now; update the remark on DifferentialTests.");
    }
}
