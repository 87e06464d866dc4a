namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The incremental decoder (RFC 6455 §5.2; notebook 05 §4, step 8): TCP
/// delivers a byte stream in any pieces, so the same frames must come out
/// whether the bytes arrive all at once, one at a time, or split anywhere.
/// Streams are written by the test's own encoder (<see cref="Wire.Frame"/>).
/// </summary>
public class DecoderTests
{
    private const string Read = "Notebook 05 §4; RFC 6455 §5.2";

    private const string Hint = Read + ". Decode keeps what it has of a header (up to 14 bytes) and of a payload between calls; " +
                                "each call uses bytes up to the end of at most one frame and returns how many.";

    /// <summary>Frames of every kind at the edges of the length forms, a fragmented message with a ping inside.</summary>
    private static List<Frame> SmallFrames() =>
    [
        new(Opcode.Text, Array.Empty<byte>()),
        new(Opcode.Binary, Payload(1, 1)),
        new(Opcode.Ping, Payload(125, 2)),
        new(Opcode.Binary, Payload(126, 3)),
        new(Opcode.Pong, Array.Empty<byte>()),
        new(Opcode.Text, "Hel"u8.ToArray(), fin: false),
        new(Opcode.Ping, "ping!"u8.ToArray()),
        new(Opcode.Continuation, "lo"u8.ToArray(), fin: true),
        new(Opcode.Binary, Payload(125, 4)),
        new(Opcode.Close, Wire.Bytes("03 e8")),
    ];

    /// <summary>The same with 65535 and 65536 bytes (a 16-bit and a 64-bit length) added.</summary>
    private static List<Frame> BigFrames() =>
    [
        .. SmallFrames().Take(5),
        new(Opcode.Text, Wire.Ascii(new Random(5), 65535)),
        new(Opcode.Binary, Payload(65536, 6), fin: false),
        new(Opcode.Ping, Array.Empty<byte>()),
        new(Opcode.Continuation, Payload(126, 7), fin: false),
        new(Opcode.Continuation, Array.Empty<byte>(), fin: true),
        .. SmallFrames().Skip(5),
    ];

    private static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>The frames encoded by the test, masked with a different key each when a client sends them (to a <see cref="Role.Server"/> decoder).</summary>
    private static (byte[] Stream, int[] Ends) Encode(List<Frame> frames, Role decoder)
    {
        var encoded = frames.Select((frame, i) => Wire.Frame((int)frame.Opcode, frame.Payload.Span, frame.Fin,
            decoder == Role.Server ? 0x9e3779b9u * (uint)(i + 1) : null)).ToList();
        return (encoded.SelectMany(bytes => bytes).ToArray(), Wire.Ends(encoded));
    }

    private static string Of(Role decoder) => decoder == Role.Server ? "a server's decoder, masked frames" : "a client's decoder, unmasked frames";

    [Fact, Graded(1, Hint = Read)]
    public void Decodes_a_stream_of_frames_given_all_at_once()
    {
        foreach (var role in new[] { Role.Server, Role.Client })
        {
            var frames = BigFrames();
            var (stream, ends) = Encode(frames, role);
            var decoder = new FrameDecoder(role);
            string context = $"{frames.Count} frames in one {stream.Length}-byte input ({Of(role)})";
            var decoded = Wire.Feed(decoder, stream, [stream.Length], ends, context, Hint);
            Wire.SameFrames(decoded, frames, $"step 8: {context}", Hint + " Payloads are unmasked with Masking.Apply, the offset carried from piece to piece.");
            Check.True(!decoder.IsMidFrame && !decoder.IsMidMessage,
                $"step 8: after {context}: IsMidFrame = {decoder.IsMidFrame}, IsMidMessage = {decoder.IsMidMessage}; both should be false at the end of a whole message", Hint);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decodes_a_stream_given_one_byte_at_a_time()
    {
        foreach (var role in new[] { Role.Server, Role.Client })
        {
            var frames = SmallFrames();
            var (stream, ends) = Encode(frames, role);
            string context = $"{frames.Count} frames given one byte at a time ({Of(role)})";
            var decoded = Wire.Feed(new FrameDecoder(role), stream, Wire.Every(1, stream.Length), ends, context, Hint);
            Wire.SameFrames(decoded, frames, $"step 8: {context}",
                Hint + " With one byte per call, a header arrives over up to 14 calls: keep its bytes (headerCount) until FrameHeader.TryRead says it is complete.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decodes_a_stream_split_in_two_at_every_point()
    {
        var frames = SmallFrames();
        var (stream, ends) = Encode(frames, Role.Server);
        for (int split = 1; split < stream.Length; split++)
        {
            string context = $"{frames.Count} frames ({stream.Length} bytes, {Of(Role.Server)}) split into bytes 0..{split - 1} and {split}..{stream.Length - 1}";
            var decoded = Wire.Feed(new FrameDecoder(Role.Server), stream, [split, stream.Length], ends, context, Hint);
            Wire.SameFrames(decoded, frames, $"step 8: {context}",
                Hint + " A split may fall inside a length, inside the key, or inside a payload: the key offset goes on where the last piece left it.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decodes_a_stream_in_random_chunks()
    {
        const int Seed = 5074;
        var random = new Random(Seed);
        for (int trial = 0; trial < 12; trial++)
        {
            var role = trial % 3 == 2 ? Role.Client : Role.Server;
            var frames = BigFrames();
            var (stream, ends) = Encode(frames, role);
            var cuts = new List<int>();
            for (int at = 0; at < stream.Length;)
            {
                at = Math.Min(stream.Length, at + (random.Next(3) == 0 ? random.Next(1, 16) : random.Next(1, 9000)));
                cuts.Add(at);
            }
            string context = $"{frames.Count} frames ({stream.Length} bytes, {Of(role)}) in {cuts.Count} random chunks (seed {Seed}, trial {trial})";
            var decoded = Wire.Feed(new FrameDecoder(role), stream, cuts, ends, context, Hint);
            Wire.SameFrames(decoded, frames, $"step 8: {context}", Hint);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decode_uses_bytes_up_to_the_end_of_one_frame_and_returns_how_many()
    {
        const string why = Hint + " The rest of the input belongs to the next frame: the caller calls again with it.";
        var decoder = new FrameDecoder(Role.Client);
        byte[] glued = [.. Wire.UnmaskedHello, .. Wire.Bytes("82 02 ab cd 89")];
        string input = Wire.Hex(glued);

        int used = decoder.Decode(glued, out var first);
        Check.Equal(used, Wire.UnmaskedHello.Length, $"step 8: the bytes a client's Decode({input}) used (two frames and the first byte of a third)", why);
        Check.True(first is not null && first.Opcode == Opcode.Text && first.PayloadText == "Hello",
            $"step 8: the frame a client's Decode({input}) returned: expected text FIN=1 \"Hello\", got {(first is null ? "null" : Wire.Describe(first))}", why);

        used = decoder.Decode(glued.AsSpan(7), out var second);
        Check.Equal(used, 4, $"step 8: the bytes the next Decode(82 02 ab cd 89) used", why);
        Check.True(second is not null && second.Opcode == Opcode.Binary && Wire.Difference(second.Payload.Span, Wire.Bytes("ab cd")) is null,
            $"step 8: the frame Decode(82 02 ab cd 89) returned: expected binary FIN=1 [ab cd], got {(second is null ? "null" : Wire.Describe(second))}", why);

        used = decoder.Decode(glued.AsSpan(11), out var third);
        Check.True(used == 1 && third is null, $"step 8: Decode(89), the first byte of a header: expected 1 byte used and no frame, got {used} and {(third is null ? "no frame" : Wire.Describe(third))}",
            why + " A partial header is kept for the next call.");

        used = decoder.Decode([], out var none);
        Check.True(used == 0 && none is null, $"step 8: Decode(no bytes) after a partial header: expected 0 bytes used and no frame, got {used} and {(none is null ? "no frame" : Wire.Describe(none))}", why);

        used = decoder.Decode(Wire.Bytes("00 81 00"), out var ping);
        Check.True(used == 1 && ping is not null && ping.Opcode == Opcode.Ping && ping.Payload.IsEmpty,
            $"step 8: Decode(00 81 00) after 89: expected 1 byte used and an empty ping, got {used} and {(ping is null ? "no frame" : Wire.Describe(ping))}", why);

        var server = new FrameDecoder(Role.Server);
        byte[] masked = [.. Wire.MaskedHello, .. Wire.MaskedHello];
        used = server.Decode(masked, out var hello);
        Check.True(used == Wire.MaskedHello.Length && hello is not null && hello.PayloadText == "Hello",
            $"step 8: a server's Decode of two glued masked \"Hello\" frames ({Wire.Hex(masked)}): expected {Wire.MaskedHello.Length} bytes used and text \"Hello\", " +
            $"got {used} and {(hello is null ? "no frame" : Wire.Describe(hello))}", why);
    }

    [Fact, Graded(1, Hint = Read)]
    public void IsMidFrame_is_true_inside_a_header_or_a_payload_and_false_between_frames()
    {
        const string why = Hint + " IsMidFrame tells a connection whose peer closed TCP whether a frame was cut short (1006).";
        var decoder = new FrameDecoder(Role.Server);
        var payload = Payload(256, 9);
        var frame = Wire.Frame(0x2, payload, key: 0x01020304); // 82 fe 01 00 01 02 03 04, then 256 bytes
        var steps = new (int End, bool Mid, string Where)[]
        {
            (0, false, "before any byte"), (1, true, "after 1 byte of the header"), (4, true, "after the length, before the key"),
            (8, true, "after the whole header, before the payload"), (100, true, "after 92 bytes of the payload"),
            (frame.Length, false, "after the whole frame"),
        };
        int at = 0;
        foreach (var (end, mid, where) in steps)
        {
            if (end > at)
                Wire.Feed(decoder, frame.AsSpan(at, end - at), [end - at], end == frame.Length ? [end - at] : null, $"bytes {at}..{end - 1} of {Wire.Short(frame)}", why);
            at = end;
            Check.Equal(decoder.IsMidFrame, mid, $"step 8: IsMidFrame {where} of {Wire.Short(frame)}", why);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void IsMidMessage_is_true_between_the_first_and_the_last_fragment()
    {
        const string why = Read + ", §5.4: a message is open from a text or binary frame without FIN to the continuation with FIN; control frames between do not change that.";
        var decoder = new FrameDecoder(Role.Client);
        var steps = new (string Hex, bool Mid, string Frame)[]
        {
            ("01 03 48 65 6c", true, "text FIN=0 \"Hel\""), ("89 00", true, "a ping"), ("00 01 6c", true, "cont FIN=0 \"l\""),
            ("8a 01 21", true, "a pong"), ("80 01 6f", false, "cont FIN=1 \"o\""), ("82 00", false, "binary FIN=1"),
        };
        Check.Equal(decoder.IsMidMessage, false, "step 8: IsMidMessage of a new decoder", why);
        foreach (var (hex, mid, name) in steps)
        {
            var bytes = Wire.Bytes(hex);
            Wire.Feed(decoder, bytes, [bytes.Length], [bytes.Length], $"{name} ({hex})", why);
            Check.Equal(decoder.IsMidMessage, mid, $"step 8: IsMidMessage after {name} ({hex})", why);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void An_empty_frame_is_complete_with_its_header()
    {
        const string why = Hint + " A frame with length 0 has no payload to wait for: return it in the call that completes the header.";
        foreach (var (role, hex) in new[] { (Role.Client, "81 00"), (Role.Client, "89 00"), (Role.Client, "88 00"), (Role.Server, "82 80 37 fa 21 3d"), (Role.Server, "8a 80 00 00 00 00") })
        {
            var bytes = Wire.Bytes(hex);
            var frames = Wire.Feed(new FrameDecoder(role), bytes, [bytes.Length], [bytes.Length], $"a {role.ToString().ToLowerInvariant()}'s Decode({hex})", why);
            Check.True(frames.Count == 1 && frames[0].Payload.IsEmpty && frames[0].Opcode == (Opcode)(bytes[0] & 0x0F),
                $"step 8: a {role.ToString().ToLowerInvariant()}'s Decode({hex}): expected one empty {((Opcode)(bytes[0] & 0x0F)).Name()} frame, got {frames.Count} frame(s)", why);

            // One byte at a time: the frame comes with the header's last byte (Feed checks where each frame ends).
            Wire.Feed(new FrameDecoder(role), bytes, Wire.Every(1, bytes.Length), [bytes.Length], $"{hex} given one byte at a time", why);
        }
        byte[] glued = Wire.Bytes("81 00 82 00 89 00");
        var all = Wire.Feed(new FrameDecoder(Role.Client), glued, [glued.Length], [2, 4, 6], "a client's Decode(81 00 82 00 89 00), three empty frames", why);
        Check.Equal(all.Count, 3, "step 8: frames in 81 00 82 00 89 00", why);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decodes_a_64_KiB_masked_frame_fed_7_bytes_at_a_time()
    {
        const string why = Hint + " Each call should cost about the bytes it is given: copy the new bytes into the payload and unmask only them " +
                           "(Masking.Apply with the running offset), never the whole payload again.";
        var payload = Payload(65536, 10);
        var frame = Wire.Frame(0x2, payload, key: 0xdeadbeef);
        var decoded = Wire.Feed(new FrameDecoder(Role.Server), frame, Wire.Every(7, frame.Length), [frame.Length],
            "a 65536-byte masked binary frame in 7-byte chunks", why);
        Wire.SameFrames(decoded, [new Frame(Opcode.Binary, payload)], "step 8: a 65536-byte masked binary frame in 7-byte chunks", why);
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_payload_buffer_grows_with_the_bytes_that_arrive_not_with_the_announced_length()
    {
        // RFC 6455 §10.4: a peer that announces a long frame and then sends little must not cost the announced length.
        var header = Wire.Header(0x82, FrameLimits.DefaultMaxMessageLength, key: 0x01020304);
        var tenBytes = new byte[10];
        Frame? frame = null;
        long allocated = 0;
        for (int run = 0; run < 2; run++) // the first run warms the code up; the second is counted
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var decoder = new FrameDecoder(Role.Server);
            decoder.Decode(header, out frame);
            decoder.Decode(tenBytes, out frame);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Check.True(frame is null, "step 8: a frame came out of a header announcing 1 MiB and 10 bytes of payload", Hint);
        Check.True(allocated < 64 * 1024,
            $"step 8: after a header announcing {FrameLimits.DefaultMaxMessageLength} bytes, 10 bytes of payload made the decoder allocate {allocated} bytes; expected a buffer sized by what arrived (a few KiB), not by the announced length.",
            Read + " and §10.4. Grow the payload buffer as bytes come (PayloadSpace does: 4 KiB first, then doubling, never past the announced length), " +
            "so a peer cannot take 1 MiB of memory per connection with a 10-byte header.");
    }
}
