namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// The rules a header decides (RFC 6455 §5.1-§5.5, §10.4; notebook 05 §5):
/// tried one header at a time through <see cref="FrameDecoder.CheckHeader"/>
/// (step 6), then on raw bytes through <see cref="FrameDecoder.Decode"/>
/// (step 8), which must fail on the header, before any payload arrives. Each
/// broken rule has its <see cref="ProtocolError"/> and close code.
/// </summary>
public class FrameRulesTests
{
    private const string Read = "Notebook 05 §5; RFC 6455 §5.1-§5.5, §10.4";

    private const uint Key = 0x0badf00d;

    private static FrameDecoder Server(FrameLimits? limits = null, ReservedBits allowed = ReservedBits.None) => new(Role.Server, limits, allowed);

    /// <summary>A header as a client sends it (masked), for a server's decoder.</summary>
    private static FrameHeader Masked(Opcode opcode, long length, bool fin = true, ReservedBits rsv = ReservedBits.None) => new(fin, opcode, length, Key, rsv);

    private static string Show(FrameHeader h) =>
        $"{h.Opcode.Name()} FIN={(h.Fin ? 1 : 0)} len={h.PayloadLength}{(h.IsMasked ? " masked" : " unmasked")}" +
        (h.Reserved == ReservedBits.None ? "" : $" RSV={h.Reserved}");

    private static void Refuses(FrameDecoder decoder, FrameHeader header, ProtocolError error, CloseCode code, string context, string why) =>
        Wire.Throws(() => decoder.CheckHeader(header), error, code, $"step 6: a {decoder.Role.ToString().ToLowerInvariant()}'s CheckHeader({Show(header)}){context}", why);

    private static void Accepts(FrameDecoder decoder, FrameHeader header, string context, string why)
    {
        try
        {
            decoder.CheckHeader(header);
        }
        catch (WebSocketProtocolException e)
        {
            Check.Fail($"step 6: a {decoder.Role.ToString().ToLowerInvariant()}'s CheckHeader({Show(header)}){context} refused a valid header with ProtocolError.{e.Error}: {e.Message}", why);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_RSV_bits_when_no_extension_defines_them()
    {
        for (int rsv = 1; rsv < 8; rsv++)
        {
            var bits = (ReservedBits)(rsv << 4);
            Refuses(Server(), Masked(Opcode.Text, 5, rsv: bits), ProtocolError.ReservedBitsSet, CloseCode.ProtocolError, "",
                Read + ": RSV1-3 \"MUST be 0 unless an extension is negotiated that defines meanings for non-zero values\" (§5.2). " +
                "Refuse any bit outside AllowedReservedBits: (h.Reserved & ~AllowedReservedBits) != 0.");
            Refuses(new FrameDecoder(Role.Client), new FrameHeader(true, Opcode.Ping, 0, null, bits), ProtocolError.ReservedBitsSet, CloseCode.ProtocolError, "",
                Read + ": RSV bits apply to every frame, control frames too (§5.2).");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Accepts_the_RSV_bits_an_extension_allowed_and_only_those()
    {
        foreach (var allowed in new[] { ReservedBits.Rsv1, ReservedBits.Rsv2, ReservedBits.Rsv3 })
        {
            for (int rsv = 0; rsv < 8; rsv++)
            {
                var bits = (ReservedBits)(rsv << 4);
                string context = $" with AllowedReservedBits = {allowed}";
                if ((bits & ~allowed) == 0)
                    Accepts(Server(allowed: allowed), Masked(Opcode.Binary, 5, rsv: bits), context,
                        Read + ": an extension (permessage-deflate gives RSV1 a meaning, RFC 7692) allows its bit; the decoder was built with it in AllowedReservedBits.");
                else
                    Refuses(Server(allowed: allowed), Masked(Opcode.Binary, 5, rsv: bits), ProtocolError.ReservedBitsSet, CloseCode.ProtocolError, context,
                        Read + ": the other bits are still refused: only AllowedReservedBits may be set.");
            }
        }
        var all = ReservedBits.Rsv1 | ReservedBits.Rsv2 | ReservedBits.Rsv3;
        for (int rsv = 0; rsv < 8; rsv++)
            Accepts(Server(allowed: all), Masked(Opcode.Text, 1, rsv: (ReservedBits)(rsv << 4)), " with all three RSV bits allowed", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_every_reserved_opcode()
    {
        foreach (int opcode in new[] { 3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF })
        {
            foreach (bool fin in new[] { true, false })
            {
                Refuses(Server(), Masked((Opcode)opcode, 0, fin), ProtocolError.ReservedOpcode, CloseCode.ProtocolError, "",
                    Read + $": 0x3-0x7 and 0xB-0xF are reserved, and \"if an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_\" (§5.2). " +
                    "Opcodes.IsDefined says which six are defined.");
            }
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_server_refuses_unmasked_frames_and_a_client_refuses_masked_ones()
    {
        foreach (var opcode in new[] { Opcode.Text, Opcode.Binary, Opcode.Ping, Opcode.Close })
        {
            Refuses(Server(), new FrameHeader(true, opcode, 3, null), ProtocolError.UnmaskedFrame, CloseCode.ProtocolError, "",
                Read + ": \"The server MUST close the connection upon receiving a frame that is not masked\" (§5.1). A server's decoder (Role.Server) reads a client's frames.");
            Refuses(new FrameDecoder(Role.Client), new FrameHeader(true, opcode, 3, Key), ProtocolError.MaskedFrame, CloseCode.ProtocolError, "",
                Read + ": \"A client MUST close a connection if it detects a masked frame\" (§5.1). A client's decoder (Role.Client) reads a server's frames.");
            Accepts(Server(), new FrameHeader(true, opcode, 3, Key), "", Read + ": a server's decoder expects masked frames (§5.1).");
            Accepts(new FrameDecoder(Role.Client), new FrameHeader(true, opcode, 3, null), "", Read + ": a client's decoder expects unmasked frames (§5.1).");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Control_frames_have_FIN_and_at_most_125_bytes()
    {
        foreach (var opcode in new[] { Opcode.Close, Opcode.Ping, Opcode.Pong })
        {
            Refuses(Server(), Masked(opcode, 0, fin: false), ProtocolError.FragmentedControlFrame, CloseCode.ProtocolError, "",
                Read + ": control frames \"MUST NOT be fragmented\" (§5.5): a control frame without FIN breaks the protocol.");
            foreach (long length in new[] { 126L, 65535, 65536 })
                Refuses(Server(), Masked(opcode, length), ProtocolError.ControlFrameTooLong, CloseCode.ProtocolError, "",
                    Read + ": \"All control frames MUST have a payload length of 125 bytes or less\" (§5.5).");
            foreach (long length in new[] { 0L, 125 })
                Accepts(Server(), Masked(opcode, length), "", Read + ": 125 bytes is the most a control frame carries, and is allowed (§5.5).");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_a_continuation_when_no_message_is_open()
    {
        const string why = Read + ": a continuation frame continues a text or binary frame that came without FIN (§5.4); with none open, it is an error.";
        Refuses(Server(), Masked(Opcode.Continuation, 3), ProtocolError.UnexpectedContinuation, CloseCode.ProtocolError, " as the first frame", why);
        Refuses(Server(), Masked(Opcode.Continuation, 3, fin: false), ProtocolError.UnexpectedContinuation, CloseCode.ProtocolError, " as the first frame", why);

        var decoder = Server();
        Accepts(decoder, Masked(Opcode.Text, 3), " as the first frame", why);
        Refuses(decoder, Masked(Opcode.Continuation, 3), ProtocolError.UnexpectedContinuation, CloseCode.ProtocolError, " after a whole text message", why);

        decoder = Server();
        Accepts(decoder, Masked(Opcode.Binary, 3, fin: false), " as the first frame", why);
        Accepts(decoder, Masked(Opcode.Continuation, 3), " after binary FIN=0", why);
        Refuses(decoder, Masked(Opcode.Continuation, 3), ProtocolError.UnexpectedContinuation, CloseCode.ProtocolError,
            " after binary FIN=0 and cont FIN=1", why + " The continuation with FIN ended the message.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_a_new_message_while_a_fragmented_one_is_open()
    {
        const string why = Read + ": the fragments of a message are a text or binary frame, then continuation frames, the last with FIN (§5.4); " +
                           "a new text or binary frame cannot start before that FIN.";
        foreach (var first in new[] { Opcode.Text, Opcode.Binary })
        {
            foreach (var next in new[] { Opcode.Text, Opcode.Binary })
            {
                foreach (bool nextFin in new[] { true, false })
                {
                    var decoder = Server();
                    Accepts(decoder, Masked(first, 3, fin: false), "", why);
                    Refuses(decoder, Masked(next, 3, fin: nextFin), ProtocolError.UnfinishedMessage, CloseCode.ProtocolError, $" after {first.Name()} FIN=0", why);
                }
            }
        }
        var again = Server();
        Accepts(again, Masked(Opcode.Text, 3, fin: false), "", why);
        Accepts(again, Masked(Opcode.Continuation, 3, fin: false), " after text FIN=0", why);
        Refuses(again, Masked(Opcode.Binary, 3), ProtocolError.UnfinishedMessage, CloseCode.ProtocolError, " after text FIN=0 and cont FIN=0", why);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Accepts_control_frames_between_the_fragments_of_a_message()
    {
        const string why = Read + ": control frames \"MAY be injected in the middle of a fragmented message\" (§5.4); they are not part of it.";
        var decoder = Server();
        FrameHeader[] sequence =
        [
            Masked(Opcode.Text, 10, fin: false), Masked(Opcode.Ping, 5), Masked(Opcode.Continuation, 10, fin: false),
            Masked(Opcode.Pong, 0), Masked(Opcode.Close, 2), Masked(Opcode.Continuation, 10), Masked(Opcode.Binary, 4),
        ];
        bool[] open = [true, true, true, true, true, false, false];
        var seen = new List<string>();
        for (int i = 0; i < sequence.Length; i++)
        {
            string context = seen.Count == 0 ? "" : $" after {string.Join(", ", seen)}";
            Accepts(decoder, sequence[i], context, why);
            Check.Equal(decoder.IsMidMessage, open[i], $"step 6: IsMidMessage after CheckHeader({Show(sequence[i])}){context}",
                why + " CheckHeader keeps the message's bookkeeping: open from a data frame without FIN until a continuation with FIN; control frames do not change it.");
            seen.Add(Show(sequence[i]));
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_a_message_over_MaxMessageLength_in_one_frame_or_across_fragments()
    {
        const string why = Read + ": \"Implementations ... MUST protect themselves against exceeding those limits\" (§10.4). " +
                           "Compare the announced length plus the bytes of the message's earlier fragments with Limits.MaxMessageLength; 1009 is \"too big to process\" (§7.4.1).";
        var limits = new FrameLimits { MaxMessageLength = 1000 };
        string with = " with MaxMessageLength = 1000";

        Accepts(Server(limits), Masked(Opcode.Binary, 1000), with, why + " Exactly the limit is allowed.");
        foreach (long length in new[] { 1001L, 65536, 1L << 40, long.MaxValue })
            Refuses(Server(limits), Masked(Opcode.Text, length), ProtocolError.MessageTooBig, CloseCode.MessageTooBig, with, why);

        var decoder = Server(limits);
        Accepts(decoder, Masked(Opcode.Text, 600, fin: false), with, why);
        Accepts(decoder, Masked(Opcode.Ping, 125), with + " after text FIN=0 len=600", why + " A control frame between fragments is not part of the message.");
        Accepts(decoder, Masked(Opcode.Continuation, 300, fin: false), with + " after text FIN=0 len=600", why);
        Accepts(decoder, Masked(Opcode.Continuation, 100), with + " after 900 bytes of fragments", why + " 600 + 300 + 100 is exactly the limit.");
        Accepts(decoder, Masked(Opcode.Binary, 1000), with + " after a message of 1000 bytes", why + " Each message counts from 0.");

        decoder = Server(limits);
        Accepts(decoder, Masked(Opcode.Text, 600, fin: false), with, why);
        Accepts(decoder, Masked(Opcode.Continuation, 300, fin: false), with + " after text FIN=0 len=600", why);
        Refuses(decoder, Masked(Opcode.Continuation, 101), ProtocolError.MessageTooBig, CloseCode.MessageTooBig, with + " after 900 bytes of fragments", why);

        decoder = Server(limits);
        Accepts(decoder, Masked(Opcode.Binary, 600, fin: false), with, why);
        Refuses(decoder, Masked(Opcode.Continuation, long.MaxValue), ProtocolError.MessageTooBig, CloseCode.MessageTooBig, with + " after 600 bytes of fragments",
            why + " Beware of overflow: 600 + long.MaxValue wraps around to a negative number; compare length > MaxMessageLength - earlier instead.");

        foreach (long length in new[] { FrameLimits.DefaultMaxMessageLength + 1L, 1L << 40, long.MaxValue })
            Refuses(Server(), Masked(Opcode.Binary, length), ProtocolError.MessageTooBig, CloseCode.MessageTooBig, " with the default limits (1 MiB)", why);
        Accepts(Server(), Masked(Opcode.Binary, FrameLimits.DefaultMaxMessageLength), " with the default limits (1 MiB)", why);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Refuses_a_message_in_more_than_MaxFragments_frames()
    {
        const string why = Read + ": a message of endless (even empty) fragments is a limit too (§10.4): count its frames, the first included, " +
                           "and refuse the one past Limits.MaxFragments with 1009. Control frames between fragments are not fragments.";
        var limits = new FrameLimits { MaxFragments = 4 };
        string with = " with MaxFragments = 4";

        var decoder = Server(limits);
        for (int round = 0; round < 2; round++)
        {
            Accepts(decoder, Masked(Opcode.Text, 1, fin: false), with, why);
            for (int i = 2; i <= 4; i++)
            {
                Accepts(decoder, Masked(Opcode.Ping, 1), with + $" between fragments {i - 1} and {i}", why);
                Accepts(decoder, Masked(Opcode.Continuation, 0, fin: i == 4), with + $" as fragment {i} of 4" + (round == 1 ? " of a second message" : ""),
                    why + " Exactly MaxFragments is allowed, pings between do not count, and each message counts from 1.");
            }
        }

        decoder = Server(limits);
        Accepts(decoder, Masked(Opcode.Binary, 1, fin: false), with, why);
        for (int i = 2; i <= 4; i++)
            Accepts(decoder, Masked(Opcode.Continuation, 1, fin: false), with + $" as fragment {i}", why);
        Refuses(decoder, Masked(Opcode.Continuation, 1, fin: true), ProtocolError.TooManyFragments, CloseCode.MessageTooBig, with + " as fragment 5", why);

        decoder = Server(new FrameLimits { MaxFragments = 1 });
        Accepts(decoder, Masked(Opcode.Text, 1, fin: false), " with MaxFragments = 1", why);
        Refuses(decoder, Masked(Opcode.Continuation, 1), ProtocolError.TooManyFragments, CloseCode.MessageTooBig, " with MaxFragments = 1, as fragment 2", why);
    }

    // Through Decode, on bytes (step 8).

    /// <summary>Decodes <paramref name="stream"/> frame by frame and expects the protocol error on the frame at <paramref name="failingAt"/> (a stream offset), not before.</summary>
    private static void DecodeFails(FrameDecoder decoder, byte[] stream, int failingAt, ProtocolError error, CloseCode code, string what, string why)
    {
        int position = 0;
        if (failingAt > 0)
        {
            var before = stream.AsSpan(0, failingAt);
            try
            {
                while (position < failingAt)
                {
                    int used = decoder.Decode(before[position..], out _);
                    Check.True(used > 0, $"step 8: {what}: Decode used no bytes at offset {position}", why);
                    position += used;
                }
            }
            catch (WebSocketProtocolException e)
            {
                Check.Fail($"step 8: {what}: Decode refused the valid frame(s) before offset {failingAt} ({Wire.Hex(before)}) with ProtocolError.{e.Error}: {e.Message}", why);
            }
        }
        Wire.Throws(() => decoder.Decode(stream.AsSpan(failingAt), out _), error, code, $"step 8: {what}", why);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decode_fails_on_a_message_too_big_as_soon_as_its_header_is_in()
    {
        const string why = Read + " (§10.4), notebook 05 §4: Decode calls CheckHeader as soon as a header is complete, before it allocates or stores a byte of payload: " +
                           "a peer that announces 2^40 bytes must not make the decoder wait for them, nor allocate them.";
        foreach (long length in new[] { FrameLimits.DefaultMaxMessageLength + 1L, 1L << 40, long.MaxValue })
        {
            var header = Wire.Header(0x82, length, Key);
            DecodeFails(Server(), header, 0, ProtocolError.MessageTooBig, CloseCode.MessageTooBig,
                $"a server's Decode given only the header {Wire.Hex(header)} (binary, {length} bytes announced, over the 1 MiB default)", why);
        }

        var limits = new FrameLimits { MaxMessageLength = 1000 };
        var payload = new byte[700];
        byte[] first = Wire.Frame(0x1, payload, fin: false, key: Key);
        byte[] stream = [.. first, .. Wire.Header(0x00, 301, Key)];
        DecodeFails(Server(limits), stream, first.Length, ProtocolError.MessageTooBig, CloseCode.MessageTooBig,
            $"a server's Decode (MaxMessageLength = 1000) given text FIN=0 with 700 bytes, then only the header of a continuation announcing 301 ({Wire.Hex(stream.AsSpan(first.Length))})",
            why + " The limit is on the whole message: count the bytes of its earlier fragments.");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Decode_fails_with_the_right_error_on_raw_bytes()
    {
        var ping126 = Wire.Header(0x89, 126);
        var cases = new (Role Role, string Hex, int FailingAt, ProtocolError Error, string Rule)[]
        {
            (Role.Server, "81 05 48 65 6c 6c 6f", 0, ProtocolError.UnmaskedFrame, "a client's frames are masked (§5.1)"),
            (Role.Client, Wire.Hex(Wire.MaskedHello), 0, ProtocolError.MaskedFrame, "a server's frames are not masked (§5.1)"),
            (Role.Client, "83 00", 0, ProtocolError.ReservedOpcode, "opcode 0x3 is reserved (§5.2)"),
            (Role.Client, "c1 00", 0, ProtocolError.ReservedBitsSet, "RSV1 needs an extension (§5.2)"),
            (Role.Client, "09 00", 0, ProtocolError.FragmentedControlFrame, "a ping needs FIN (§5.5)"),
            (Role.Client, Wire.Hex(ping126), 0, ProtocolError.ControlFrameTooLong, "a ping carries at most 125 bytes (§5.5)"),
            (Role.Client, "80 00", 0, ProtocolError.UnexpectedContinuation, "a continuation needs an open message (§5.4)"),
            (Role.Client, "01 01 41 89 00 82 00", 5, ProtocolError.UnfinishedMessage, "a new message cannot start inside an open one (§5.4)"),
            (Role.Client, "81 7e 00 05", 0, ProtocolError.NonMinimalLength, "a length in its minimal form (§5.2)"),
            (Role.Client, "82 7f 80 00 00 00 00 00 00 00", 0, ProtocolError.LengthTooLarge, "a 64-bit length's top bit is 0 (§5.2)"),
        };
        foreach (var c in cases)
        {
            var stream = Wire.Bytes(c.Hex);
            DecodeFails(new FrameDecoder(c.Role), stream, c.FailingAt, c.Error, CloseCodeOf(c.Error),
                $"a {c.Role.ToString().ToLowerInvariant()}'s Decode({c.Hex})",
                Read + $": {c.Rule}. Decode reads the header with FrameHeader.TryRead and checks it with CheckHeader; their exceptions go to the caller.");
        }
    }

    private static CloseCode CloseCodeOf(ProtocolError error) => error switch
    {
        ProtocolError.InvalidUtf8 => CloseCode.InvalidPayloadData,
        ProtocolError.MessageTooBig or ProtocolError.TooManyFragments => CloseCode.MessageTooBig,
        _ => CloseCode.ProtocolError,
    };

    [Fact, Graded(1, Hint = Read)]
    public void After_a_failure_Decode_refuses_to_go_on()
    {
        const string why = Read + ", notebook 05 §4: after a protocol error the connection is failed (§7.1.7); a decoder that went on would read garbage as frames. " +
                           "Remember the exception (in Decode, around DecodeOne, whether it came from TryRead or CheckHeader) and throw InvalidOperationException on every later call.";
        foreach (var hex in new[] { "83 00", "81 7e 00 05" })
        {
            var decoder = new FrameDecoder(Role.Client);
            DecodeFails(decoder, Wire.Bytes(hex), 0, hex == "83 00" ? ProtocolError.ReservedOpcode : ProtocolError.NonMinimalLength,
                CloseCode.ProtocolError, $"a client's Decode({hex})", why);
            for (int call = 1; call <= 2; call++)
            {
                string what = $"step 8: call {call} to Decode(81 05 48 65 6c 6c 6f, a valid frame) after Decode({hex}) failed";
                Frame? frame;
                try
                {
                    decoder.Decode(Wire.UnmaskedHello, out frame);
                }
                catch (InvalidOperationException)
                {
                    continue;
                }
                catch (Exception e) when (e is not NotImplementedException)
                {
                    Check.Fail($"{what}: expected InvalidOperationException, got {e.GetType().Name}: {e.Message}", why);
                    throw;
                }
                Check.Fail($"{what}: expected InvalidOperationException, but it decoded {(frame is null ? "nothing" : Wire.Describe(frame))}", why);
            }
        }
    }
}
