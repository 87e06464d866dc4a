namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Properties, on random frames from a seeded generator (RFC 6455 §5.2-§5.4;
/// notebook 05 §2 and §4): the lab's encoder writes what the test's own
/// encoder writes, byte for byte, and any valid sequence of frames, split
/// anywhere, decodes to the frames that were encoded. A failure names the
/// seed and the case, so it can be replayed.
/// </summary>
public class RoundTripTests
{
    private const string Read = "Notebook 05 §2 and §4; RFC 6455 §5.2-§5.4";

    private const int Seed = 6455;

    private const int Cases = 500;

    private static readonly ReservedBits AllRsv = ReservedBits.Rsv1 | ReservedBits.Rsv2 | ReservedBits.Rsv3;

    /// <summary>
    /// A payload length, mostly at or near the edges of the length forms
    /// (0, 125, 126; 65535, 65536 about once in 250 frames, to keep the run short).
    /// </summary>
    private static int DataLength(Random random) => random.Next(20) switch
    {
        < 8 => new[] { 0, 1, 124, 125, 126, 127, 128 }[random.Next(7)],
        8 => random.Next(12) == 0 ? new[] { 65535, 65536, 65537 }[random.Next(3)] : random.Next(126, 1000),
        < 14 => random.Next(0, 300),
        _ => random.Next(0, 2000),
    };

    private static int ControlLength(Random random) => random.Next(2) == 0 ? new[] { 0, 1, 124, 125 }[random.Next(4)] : random.Next(0, 126);

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static ReservedBits Rsv(Random random, bool withRsv) => withRsv ? (ReservedBits)(random.Next(8) << 4) : ReservedBits.None;

    /// <summary>
    /// A valid sequence: whole messages and fragmented ones (a text or binary
    /// frame without FIN, continuations, the last with FIN), with control
    /// frames anywhere, also between fragments.
    /// </summary>
    private static List<Frame> Sequence(Random random, bool withRsv)
    {
        var frames = new List<Frame>();
        bool open = false;
        bool text = false;
        int count = random.Next(1, 9);
        for (int i = 0; i < count || open; i++)
        {
            if (random.Next(4) == 0)
            {
                var control = new[] { Opcode.Close, Opcode.Ping, Opcode.Pong }[random.Next(3)];
                frames.Add(new Frame(control, Bytes(random, ControlLength(random)), fin: true, Rsv(random, withRsv)));
                continue;
            }
            var opcode = open ? Opcode.Continuation : random.Next(2) == 0 ? Opcode.Text : Opcode.Binary;
            text = opcode == Opcode.Text || (text && opcode == Opcode.Continuation);
            bool fin = i >= count || random.Next(3) != 0;
            int length = DataLength(random);
            frames.Add(new Frame(opcode, text ? Wire.Ascii(random, length) : Bytes(random, length), fin, Rsv(random, withRsv)));
            open = !fin;
        }
        return frames;
    }

    private static string Summary(IEnumerable<Frame> frames) =>
        string.Join(", ", frames.Select(f => $"{f.Opcode.Name()}{(f.Fin ? "" : " FIN=0")}{(f.Reserved == ReservedBits.None ? "" : $" {f.Reserved}")} len={f.Payload.Length}"));

    /// <summary>Encodes with FrameEncoder and checks it against Wire.Frame, byte for byte.</summary>
    private static byte[] EncodeBoth(Frame frame, uint? key, string context)
    {
        var expected = Wire.Frame((int)frame.Opcode, frame.Payload.Span, frame.Fin, key, (int)frame.Reserved >> 4);
        var original = frame.Payload.ToArray();
        var actual = FrameEncoder.Encode(frame, key);
        Wire.SameBytes(actual, expected, $"step 3: FrameEncoder.Encode({Wire.Describe(frame)}, {(key is null ? "no key" : $"key {key:x8}")}) against the test's encoder ({context})",
            Read + ". The header in its minimal form (FrameHeader.WriteTo), then the payload, masked with the key when there is one (Masking.Apply from offset 0).");
        Wire.SameBytes(frame.Payload.Span, original, $"step 3: the frame's own payload after FrameEncoder.Encode ({context})",
            Read + ". EncodeTo copies the payload into the destination and masks the copy; the frame is not changed.");
        return actual;
    }

    [Fact, Graded(1, Hint = Read)]
    public void FrameEncoder_writes_what_the_test_encoder_writes_for_random_frames()
    {
        var random = new Random(Seed);
        for (int i = 0; i < Cases; i++)
        {
            string context = $"seed {Seed}, case {i}";
            foreach (var frame in Sequence(random, withRsv: i % 2 == 1))
            {
                uint? key = random.Next(2) == 0 ? null : (uint)random.NextInt64(0, 1L << 32);
                var encoded = EncodeBoth(frame, key, context);

                var destination = new byte[encoded.Length + 3];
                int written = FrameEncoder.EncodeTo(frame, key, destination);
                Check.Equal(written, encoded.Length, $"step 3: the size FrameEncoder.EncodeTo({Wire.Describe(frame)}) returns ({context})",
                    Read + ". EncodeTo returns header size + payload length.");
                Wire.SameBytes(destination.AsSpan(0, written), encoded, $"step 3: FrameEncoder.EncodeTo into a larger buffer ({context})", Read);
                Check.True(destination.AsSpan(written).IndexOfAnyExcept((byte)0) < 0, $"step 3: FrameEncoder.EncodeTo wrote past its {written} bytes ({context})", Read);
            }
        }
    }

    private static void RoundTrip(Role decoderRole, int cases)
    {
        var random = new Random(Seed + (int)decoderRole + 1);
        for (int i = 0; i < cases; i++)
        {
            bool withRsv = i % 3 == 0;
            var frames = Sequence(random, withRsv);
            string context = $"seed {Seed + (int)decoderRole + 1}, case {i}";
            var encoded = frames.Select(frame =>
                EncodeBoth(frame, decoderRole == Role.Server ? (uint)random.NextInt64(0, 1L << 32) : null, context)).ToList();
            var stream = encoded.SelectMany(bytes => bytes).ToArray();

            var cuts = new SortedSet<int> { stream.Length };
            if (stream.Length <= 400 && random.Next(4) == 0)
                cuts.UnionWith(Wire.Every(1, stream.Length));
            else
                for (int c = random.Next(0, 8); c > 0; c--)
                    cuts.Add(random.Next(1, stream.Length + 1));
            string chunks = cuts.Count == stream.Length && stream.Length > 1 ? "one byte at a time" : $"chunks ending at {string.Join(",", cuts)}";

            string what = $"{context}: {frames.Count} frame(s) [{Summary(frames)}], {stream.Length} bytes {(decoderRole == Role.Server ? "masked" : "unmasked")}, {chunks}";
            var decoder = new FrameDecoder(decoderRole, allowedReservedBits: withRsv ? AllRsv : ReservedBits.None);
            var decoded = Wire.Feed(decoder, stream, cuts, Wire.Ends(encoded), what, Read);
            Wire.SameFrames(decoded, frames, $"step 8: a {decoderRole.ToString().ToLowerInvariant()}'s decoder on {what}",
                Read + ". Any split of a valid stream decodes to the frames that were sent: opcode, FIN, RSV and payload.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Random_masked_sequences_split_anywhere_decode_to_the_same_frames_at_a_server()
    {
        RoundTrip(Role.Server, Cases);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Random_unmasked_sequences_split_anywhere_decode_to_the_same_frames_at_a_client()
    {
        RoundTrip(Role.Client, Cases);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Encode_as_a_client_masks_with_a_fresh_key_and_as_a_server_does_not()
    {
        const string why = Read + ", §5.1 and §5.3: a client masks every frame with a new key; a server never masks. Encode(frame, Role) passes Masking.NewKey() or null to Encode(frame, key).";
        var frame = Frame.Text("Hello, server");
        var keys = new HashSet<uint>();
        for (int i = 0; i < 3; i++)
        {
            var bytes = FrameEncoder.Encode(frame, Role.Client);
            Check.True(bytes.Length == 2 + 4 + 13 && bytes[0] == 0x81 && bytes[1] == (0x80 | 13),
                $"step 3: FrameEncoder.Encode(text \"Hello, server\", Role.Client): expected 81 8d, a key and 13 masked bytes, got {Wire.Hex(bytes)}", why);
            uint key = (uint)(bytes[2] << 24 | bytes[3] << 16 | bytes[4] << 8 | bytes[5]);
            keys.Add(key);
            Wire.SameBytes(Wire.Masked(bytes.AsSpan(6), key), "Hello, server"u8, $"step 3: the payload of {Wire.Hex(bytes)} unmasked with its key {key:x8}", why);
        }
        Check.True(keys.Count > 1, "step 3: FrameEncoder.Encode(frame, Role.Client) used the same key three times", why);
        Wire.SameBytes(FrameEncoder.Encode(frame, Role.Server), [0x81, 13, .. "Hello, server"u8], "step 3: FrameEncoder.Encode(text \"Hello, server\", Role.Server)", why);
    }

    // Given code: no points.

    [Fact]
    public void EncodeTo_refuses_frames_no_endpoint_may_send()
    {
        var buffer = new byte[200];
        var bad = new (Frame Frame, string Why)[]
        {
            (new Frame((Opcode)3, Array.Empty<byte>()), "opcode 0x3 is reserved (§5.2)"),
            (new Frame((Opcode)0xB, Array.Empty<byte>()), "opcode 0xB is reserved (§5.2)"),
            (new Frame(Opcode.Ping, Array.Empty<byte>(), fin: false), "a control frame needs FIN (§5.5)"),
            (new Frame(Opcode.Close, new byte[126]), "a control frame carries at most 125 bytes (§5.5)"),
        };
        foreach (var (frame, rule) in bad)
        {
            Should.Throw<ArgumentException>(() => FrameEncoder.EncodeTo(frame, null, buffer),
                $"FrameEncoder.EncodeTo should refuse a frame where {rule}: sending it would be the caller's bug");
        }
    }
}
