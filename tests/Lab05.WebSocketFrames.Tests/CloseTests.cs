using System.Text;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Close frames (RFC 6455 §5.5.1, §7.4, and the IANA close code registry;
/// notebook 05 §8; step 10, <see cref="CloseCodes.IsValidOnWire"/>,
/// <see cref="CloseStatus.Parse"/>, <see cref="CloseStatus.ToPayload"/>):
/// which codes may be on the wire, how a payload is read and written, and
/// what is refused each way.
/// </summary>
public class CloseTests
{
    private const string Read = "Notebook 05 §8; RFC 6455 §5.5.1 (the close payload), §7.4.1-§7.4.2 (codes), and the IANA registry (1012-1014)";

    /// <summary>The test's own rule: RFC 6455 §7.4.1 and the IANA registry give 1000-1003 and 1007-1014; §7.4.2 gives 3000-4999 to libraries and applications.</summary>
    private static bool MayBeSent(int code) => code is >= 1000 and <= 1003 || code is >= 1007 and <= 1014 || code is >= 3000 and <= 4999;

    private static byte[] Payload(int code, string reason = "") => [(byte)(code >> 8), (byte)code, .. Encoding.UTF8.GetBytes(reason)];

    private static string Why(int code) => code switch
    {
        < 1000 => "below 1000 no code is defined (§7.4.2)",
        1004 => "1004 is reserved (§7.4.1)",
        1005 or 1006 or 1015 => $"{code} is for APIs only: it \"MUST NOT be set as a status code in a Close control frame\" (§7.4.1)",
        < 3000 => "1016-2999 are reserved for future RFCs (§7.4.2)",
        _ => "there is no code from 5000 up (§7.4.2)",
    };

    [Fact, Graded(1, Hint = Read)]
    public void IsValidOnWire_accepts_exactly_the_codes_a_close_frame_may_carry()
    {
        var wrong = new List<string>();
        for (int code = 0; code <= 5999; code++)
        {
            if (CloseCodes.IsValidOnWire(code) != MayBeSent(code))
                wrong.Add($"{code} ({(MayBeSent(code) ? "valid" : "invalid")})");
        }
        Check.True(wrong.Count == 0,
            $"step 10: CloseCodes.IsValidOnWire is wrong for {wrong.Count} of the codes 0-5999, e.g. {string.Join(", ", wrong.Take(8))}",
            Read + ". Valid: 1000-1003, 1007-1014, 3000-4999. Never: 1004, 1005, 1006, 1015, below 1000, 1016-2999, 5000 and up.");
        Check.True(!CloseCodes.IsValidOnWire(65535) && !CloseCodes.IsValidOnWire(-1),
            "step 10: CloseCodes.IsValidOnWire(65535) and (-1): expected false for both", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Parse_reads_an_empty_payload_as_no_status()
    {
        var status = PayloadExpect.NoProtocolError(() => CloseStatus.Parse([]), "step 10: CloseStatus.Parse of an empty payload", Read + ". A close frame may have no payload at all (§5.5.1).");
        Check.Equal(status.Code, null, "step 10: CloseStatus.Parse([]).Code (no status code in the frame)", Read + ". Return CloseStatus.Empty.");
        Check.Equal(status.ReportedCode, 1005, "step 10: CloseStatus.Parse([]).ReportedCode", Read + ". An API reports a close without a code as 1005, No Status Received (§7.1.5).");
        Check.Equal(status.Reason, "", "step 10: CloseStatus.Parse([]).Reason", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Parse_refuses_a_1_byte_payload_with_1002()
    {
        foreach (byte only in new byte[] { 0x03, 0xe8, 0x00 })
        {
            var e = PayloadExpect.Refused(() => CloseStatus.Parse([only]), ProtocolError.ClosePayloadTooShort,
                $"step 10: CloseStatus.Parse([{only:x2}])", Read + ". A close payload is empty, or a 2-byte code and then a reason: 1 byte is neither (§5.5.1).");
            Check.Equal(e.CloseCode, CloseCode.ProtocolError, "step 4: the CloseCode of ProtocolError.ClosePayloadTooShort", "Notebook 05 §5; RFC 6455 §7.4.1.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Parse_refuses_codes_that_may_not_be_on_the_wire_with_1002()
    {
        foreach (int code in new[] { 0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535 })
        {
            var payload = Payload(code, "why");
            var e = PayloadExpect.Refused(() => CloseStatus.Parse(payload), ProtocolError.InvalidCloseCode,
                $"step 10: CloseStatus.Parse({PayloadExpect.Show(payload)}), code {code}", Read + $". {Why(code)}: check the code with CloseCodes.IsValidOnWire.");
            Check.Equal(e.CloseCode, CloseCode.ProtocolError, "step 4: the CloseCode of ProtocolError.InvalidCloseCode", "Notebook 05 §5; RFC 6455 §7.4.1.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Parse_reads_valid_codes_and_their_reasons()
    {
        (int Code, string Reason)[] cases =
        [
            (1000, ""), (1000, "bye"), (1001, "going away"), (1002, ""), (1003, "no binary here"), (1007, ""), (1008, "policy"),
            (1009, "too big"), (1010, "need permessage-deflate"), (1011, "oops"), (1012, "restarting"), (1013, "later"), (1014, "upstream"),
            (3000, "registered"), (3999, ""), (4000, "private"), (4999, "Grüße 😀"),
            (1000, new string('r', CloseStatus.MaxReasonBytes)), (4001, string.Concat(Enumerable.Repeat("é", 61)) + "x"),
        ];
        foreach (var (code, reason) in cases)
        {
            var payload = Payload(code, reason);
            var status = PayloadExpect.NoProtocolError(() => CloseStatus.Parse(payload),
                $"step 10: CloseStatus.Parse({PayloadExpect.Show(payload)}), code {code}", Read + ". A 2-byte big-endian code that may be on the wire, then a UTF-8 reason (up to 123 bytes).");
            Check.Equal(status.Code, code, $"step 10: the Code of CloseStatus.Parse({PayloadExpect.Show(payload)})",
                Read + ". The code is the first 2 bytes, big-endian: BinaryPrimitives.ReadUInt16BigEndian.");
            Check.Equal(status.Reason, reason, $"step 10: the Reason of CloseStatus.Parse({PayloadExpect.Show(payload)})",
                Read + ". The reason is every byte after the code, as UTF-8.");
        }
    }

    [Fact, Graded(1, Hint = Read + "; notebook 05 §6")]
    public void Parse_refuses_a_reason_that_is_not_UTF_8_with_1007()
    {
        foreach (var hex in new[] { "c0 80", "ed a0 80", "6f 6b e2 82", "ff" })
        {
            byte[] payload = [0x03, 0xe8, .. Wire.Bytes(hex)];
            var e = PayloadExpect.Refused(() => CloseStatus.Parse(payload), ProtocolError.InvalidUtf8,
                $"step 10: CloseStatus.Parse({PayloadExpect.Show(payload)}), code 1000 with the reason [{hex}]",
                Read + ". The reason must be UTF-8, complete (§5.5.1): Utf8Validator.IsValid.");
            Check.Equal(e.CloseCode, CloseCode.InvalidPayloadData, "step 4: the CloseCode of ProtocolError.InvalidUtf8", "Notebook 05 §5; RFC 6455 §7.4.1.");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void ToPayload_writes_the_code_big_endian_then_the_reason_in_UTF_8()
    {
        (CloseStatus Status, string Hex)[] cases =
        [
            (new CloseStatus(1000, "bye"), "03 e8 62 79 65"),
            (new CloseStatus(CloseCode.GoingAway), "03 e9"),
            (new CloseStatus(4999, "é"), "13 87 c3 a9"),
            (new CloseStatus(3000, "😀"), "0b b8 f0 9f 98 80"),
            (CloseStatus.Empty, ""),
        ];
        foreach (var (status, hex) in cases)
        {
            PayloadExpect.SameBytes(status.ToPayload(), Wire.Bytes(hex), $"step 10: ToPayload() of {status}",
                Read + ". No code: an empty payload. Else 2 bytes of code, big-endian (BinaryPrimitives.WriteUInt16BigEndian), then the reason's UTF-8.");
        }

        foreach (var reason in new[] { new string('x', 123), string.Concat(Enumerable.Repeat("é", 61)) + "x", new string('x', 119) + "😀" })
        {
            var status = new CloseStatus(1000, reason);
            byte[] payload = [];
            try
            {
                payload = status.ToPayload();
            }
            catch (ArgumentException e)
            {
                Check.Fail($"step 10: ToPayload() with a reason of {Encoding.UTF8.GetByteCount(reason)} UTF-8 bytes ({reason.Length} chars) refused it: {e.Message}",
                    Read + ". 123 bytes of reason is the most, and it is allowed: 2 + 123 = 125, the most a control frame carries (§5.5).");
            }
            Check.Equal(payload.Length, 125, $"step 10: the length of ToPayload() with code 1000 and a {Encoding.UTF8.GetByteCount(reason)}-byte reason", Read);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void ToPayload_refuses_what_no_endpoint_may_send()
    {
        var tooLong = new (string Reason, string Note)[]
        {
            (new string('x', 124), "124 ASCII bytes"),
            (string.Concat(Enumerable.Repeat("é", 62)), "62 × \"é\": 62 chars but 124 bytes"),
            (new string('x', 122) + "é", "123 chars but 124 bytes"),
        };
        foreach (var (reason, note) in tooLong)
        {
            PayloadExpect.ArgumentError(() => new CloseStatus(1000, reason).ToPayload(), $"step 10: CloseStatus(1000, reason).ToPayload() with a reason of {note}",
                Read + ". The reason is at most 123 UTF-8 bytes (125 for the payload, 2 of them the code): count bytes (Encoding.UTF8.GetByteCount), not chars.");
        }

        PayloadExpect.ArgumentError(() => new CloseStatus((int?)null, "no code").ToPayload(), "step 10: CloseStatus(null, \"no code\").ToPayload(), a reason without a code",
            Read + ". The reason comes after the code (§5.5.1): without a code there is no place for it.");

        foreach (int code in new[] { 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535 })
        {
            PayloadExpect.ArgumentError(() => new CloseStatus(code, "").ToPayload(), $"step 10: CloseStatus({code}).ToPayload()",
                Read + $". {Why(code)}: refuse on send what you refuse on receive (CloseCodes.IsValidOnWire).");
        }
        PayloadExpect.ArgumentError(() => Frame.Close(CloseCode.NoStatusReceived), "step 10: Frame.Close(CloseCode.NoStatusReceived) (1005)", Read + ". " + Why(1005));
    }

    [Fact, Graded(1, Hint = Read + "; notebook 05 §2 and §4")]
    public void Close_frames_round_trip_through_encoder_decoder_and_Parse()
    {
        CloseStatus[] statuses =
        [
            new(CloseCode.NormalClosure, "bye"), new(CloseCode.GoingAway), new(CloseCode.InternalError, "internal error"),
            new(3000, "x"), new(4999, string.Concat(Enumerable.Repeat("é", 61)) + "x"), CloseStatus.Empty,
        ];
        foreach (var status in statuses)
        {
            foreach (var (sender, receiver) in new[] { (Role.Client, Role.Server), (Role.Server, Role.Client) })
            {
                var wire = FrameEncoder.Encode(Frame.Close(status), sender);
                var frames = new FrameDecoder(receiver).DecodeAll(wire);
                Check.Equal(frames.Count, 1, $"steps 3 and 8: frames decoded from Frame.Close({status}) sent by a {sender}", Read);
                Check.Equal(frames[0].Opcode, Opcode.Close, $"steps 3 and 8: the opcode of Frame.Close({status}) decoded", Read);
                var parsed = CloseStatus.Parse(frames[0].Payload.Span);
                Check.Equal(parsed.Code, status.Code, $"step 10: the Code of Frame.Close({status}) after encoding, decoding and CloseStatus.Parse", Read);
                Check.Equal(parsed.Reason, status.Reason, $"step 10: the Reason of Frame.Close({status}) after encoding, decoding and CloseStatus.Parse", Read);
            }
        }

        // The bytes of a server's close 1000 "bye", against the test's own encoder.
        PayloadExpect.SameBytes(FrameEncoder.Encode(Frame.Close(CloseCode.NormalClosure, "bye"), Role.Server), Wire.Frame(0x8, Wire.Bytes("03 e8 62 79 65")),
            "steps 3 and 10: a server's Frame.Close(1000, \"bye\") on the wire", Read);
    }
}
