using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Failing the connection (step 4, with step 1 catching the codec's errors;
/// notebook 06 §5; RFC 6455 §7.1.7, §7.4.1): every protocol error that bytes
/// can cause gives one ConnectionFailed and exactly one close frame with
/// its code (1002, 1007, 1009); after it, input means nothing.
/// </summary>
public class ProtocolFailTests
{
    private const string Read = "Notebook 06 §5 (failing a connection); RFC 6455 §7.1.7 (\"_Fail the WebSocket Connection_\"), §7.4.1 (codes)";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A case: what the peer sends (the last frame breaks <paramref name="Error"/>), and the code it must get.</summary>
    private sealed record Case(string What, byte[] Bytes, ProtocolError Error, int Code, Role Role = Role.Server, FrameLimits? Limits = null);

    private static IEnumerable<Case> Cases1002() =>
    [
        new("a text frame with RSV1 set", ClientFrames.Frame(Op.Text, Utf8("a"), rsv: ClientFrames.Rsv1), ProtocolError.ReservedBitsSet, 1002),
        new("a ping with RSV3 set", ClientFrames.Frame(Op.Ping, [], rsv: ClientFrames.Rsv3), ProtocolError.ReservedBitsSet, 1002),
        new("a frame with the reserved opcode 0x3", ClientFrames.Frame(0x3, Utf8("a")), ProtocolError.ReservedOpcode, 1002),
        new("a frame with the reserved opcode 0xB", ClientFrames.Frame(0xB, []), ProtocolError.ReservedOpcode, 1002),
        new("a length of 5 in the 16-bit form", [.. ClientFrames.Header(0x81, 5, lengthBits: 16), .. MaskedAscii(5)], ProtocolError.NonMinimalLength, 1002),
        new("a length of 200 in the 64-bit form", [.. ClientFrames.Header(0x82, 200, lengthBits: 64), .. new byte[200]], ProtocolError.NonMinimalLength, 1002),
        new("a 64-bit length with its top bit set", ClientFrames.Header(0x82, long.MinValue, lengthBits: 64), ProtocolError.LengthTooLarge, 1002),
        new("an unmasked text frame from a client", ClientFrames.Text("a", key: null), ProtocolError.UnmaskedFrame, 1002),
        new("a masked text frame from a server (this end is a client)", ClientFrames.Text("a"), ProtocolError.MaskedFrame, 1002, Role.Client),
        new("a ping without FIN", ClientFrames.Frame(Op.Ping, Utf8("p"), fin: false), ProtocolError.FragmentedControlFrame, 1002),
        new("a ping of 126 bytes", ClientFrames.Ping(new byte[126]), ProtocolError.ControlFrameTooLong, 1002),
        new("a continuation frame with no message open", ClientFrames.Continuation("a", fin: true), ProtocolError.UnexpectedContinuation, 1002),
        new("a text frame while a fragmented message is open",
            ClientFrames.Glue(ClientFrames.Text("a", fin: false), ClientFrames.Text("b")), ProtocolError.UnfinishedMessage, 1002),
        new("a close frame with a 1-byte payload", ClientFrames.Frame(Op.Close, [0x03]), ProtocolError.ClosePayloadTooShort, 1002),
        new("a close frame with code 1005", ClientFrames.Close(1005), ProtocolError.InvalidCloseCode, 1002),
        new("a close frame with code 999", ClientFrames.Close(999, "x"), ProtocolError.InvalidCloseCode, 1002),
    ];

    private static byte[] MaskedAscii(int count)
    {
        var bytes = Encoding.ASCII.GetBytes(ClientFrames.AsciiText(count));
        ClientFrames.Mask(bytes, ClientFrames.Key);
        return bytes;
    }

    private static IEnumerable<Case> Cases1007() =>
    [
        new("a text frame with the byte ff", ClientFrames.Frame(Op.Text, [0x61, 0xff]), ProtocolError.InvalidUtf8, 1007),
        new("a text message ending inside a character (e2 82)", ClientFrames.Frame(Op.Text, [0xe2, 0x82]), ProtocolError.InvalidUtf8, 1007),
        new("a continuation with a UTF-16 surrogate (ed a0 80)",
            ClientFrames.Glue(ClientFrames.Text("ok", fin: false), ClientFrames.Continuation([0xed, 0xa0, 0x80], fin: true)), ProtocolError.InvalidUtf8, 1007),
        new("a close frame whose reason is not UTF-8 (c0 80)", ClientFrames.Frame(Op.Close, [0x03, 0xe8, 0xc0, 0x80]), ProtocolError.InvalidUtf8, 1007),
    ];

    private static IEnumerable<Case> Cases1009() =>
    [
        new("a header announcing 11 bytes when 10 is the most", ClientFrames.Header(0x82, 11), ProtocolError.MessageTooBig, 1009, Limits: new FrameLimits { MaxMessageLength = 10 }),
        new("fragments of 6 + 6 bytes when 10 is the most",
            ClientFrames.Glue(ClientFrames.Binary(new byte[6], fin: false), ClientFrames.Continuation(new byte[6], fin: true)),
            ProtocolError.MessageTooBig, 1009, Limits: new FrameLimits { MaxMessageLength = 10 }),
        new("a third fragment when 2 is the most",
            ClientFrames.Glue(ClientFrames.Text("a", fin: false), ClientFrames.Continuation("b", fin: false), ClientFrames.Continuation("c", fin: true)),
            ProtocolError.TooManyFragments, 1009, Limits: new FrameLimits { MaxFragments = 2 }),
    ];

    /// <summary>
    /// Runs <paramref name="c"/>: exactly one ConnectionFailed with the code
    /// and the cause, exactly one frame to send (the close with the code and
    /// Describe(error) as reason), State Closing, and then input ignored.
    /// </summary>
    private static void ExpectFailure(Case c, string why)
    {
        var run = new ProtocolRun(c.Role, c.Limits).Receive(c.Bytes, c.What);
        var failed = run.Events.OfType<ConnectionFailed>().ToList();
        Check.True(failed.Count == 1,
            $"steps 1 and 4: after {c.What}, expected one ConnectionFailed event, got {ProtocolRun.List(run.EventSigs)}",
            Read + ". " + why + " ReceiveFrames catches the WebSocketProtocolException (Decode or HandleFrame throws it) and calls Fail(e).\n" + run.Story());
        Check.Equal(failed[0].Sent.Code, c.Code, $"step 4: the code in ConnectionFailed.Sent after {c.What}",
            Read + ". " + why + " A WebSocketProtocolException carries its code: new CloseStatus(e.CloseCode, Describe(e.Error)).\n" + run.Story());
        Check.True(failed[0].Cause is WebSocketProtocolException { } e && e.Error == c.Error,
            $"step 4: ConnectionFailed.Cause after {c.What}: expected the WebSocketProtocolException for {c.Error}, got {failed[0].Cause.GetType().Name}: {failed[0].Cause.Message}",
            Read + ". Keep the exception as the cause (it goes to the log).");
        Check.Equal(ProtocolRun.List(run.SentSigs.Where(s => !s.StartsWith("pong", StringComparison.Ordinal))),
            $"close [{ProtocolRun.Hex(ClientFrames.ClosePayload(c.Code, Encoding.UTF8.GetBytes(WebSocketProtocol.Describe(c.Error))), 200)}]",
            $"step 4: the frames to send after {c.What}: exactly one close with {c.Code} and the reason \"{WebSocketProtocol.Describe(c.Error)}\"",
            Read + ". Queue Frame.Close(status) once, and set CloseSent.\n" + run.Story());
        Check.Equal(run.Protocol.State, ConnectionState.Closing, $"step 4: State after {c.What}", Read + ". A failed connection is Closing until TCP ends.");
        Check.True(run.Protocol.Failure is WebSocketProtocolException, $"step 4: Failure after {c.What}: expected the exception, got {run.Protocol.Failure?.GetType().Name ?? "null"}", Read);
        Check.True(run.Protocol.ShouldCloseTransport, $"step 4: ShouldCloseTransport after {c.What}: expected true (the end that failed closes TCP)", Read + "\n" + run.Story());

        run.Clear().Receive(ClientFrames.Glue(ClientFrames.Text("later"), ClientFrames.Ping(Utf8("p")), ClientFrames.Close(1000)), "text, ping and close after the failure");
        Check.True(run.Events.Count == 0 && run.Sent.Count == 0,
            $"steps 1 and 4: after {c.What}, input must be ignored; a text, a ping and a close gave {ProtocolRun.List(run.EventSigs)}; to send {ProtocolRun.List(run.SentSigs)}",
            Read + ": after failing, \"discard any data\"; ReceiveFrames decodes only while IsReceiving.\n" + run.Story());
    }

    [Fact, Graded(3, Hint = Read)]
    public void Every_protocol_error_fails_the_connection_with_1002_and_one_close_frame()
    {
        foreach (var c in Cases1002())
            ExpectFailure(c, "1002 Protocol Error: the peer broke a rule of RFC 6455 §5.");
    }

    [Fact, Graded(1, Hint = Read + "; §8.1")]
    public void Invalid_UTF_8_fails_the_connection_with_1007()
    {
        foreach (var c in Cases1007())
            ExpectFailure(c, "1007 Invalid Payload Data: text (and a close reason) must be UTF-8 (§8.1).");
    }

    [Fact, Graded(1, Hint = Read + "; §10.4")]
    public void A_message_over_the_limits_fails_the_connection_with_1009()
    {
        foreach (var c in Cases1009())
            ExpectFailure(c, "1009 Message Too Big: an endpoint protects itself against messages past its limits (§10.4).");
    }

    [Fact, Graded(2, Hint = Read)]
    public void Fail_with_an_unexpected_exception_sends_1011_internal_error_and_no_details()
    {
        var run = new ProtocolRun();
        var secret = new InvalidOperationException("database password=hunter2 at /srv/app/Secrets.cs:42");
        run.Protocol.Fail(secret);
        run.Did("Fail(new InvalidOperationException(\"database password=hunter2 ...\"))");
        Check.Equal(ProtocolRun.List(run.SentSigs), $"close [{ProtocolRun.Hex(ClientFrames.ClosePayload(1011, Encoding.UTF8.GetBytes("internal error")), 200)}]",
            "step 4: the frames to send after Fail(InvalidOperationException): one close, 1011 \"internal error\"",
            Read + ": 1011 \"an unexpected condition\". The exception's text stays in the log: it may hold internals the peer must not see.\n" + run.Story());
        Check.True(!run.Sent.Any(f => Encoding.UTF8.GetString(f.Payload.Span).Contains("hunter2", StringComparison.Ordinal)),
            "step 4: the exception's message went to the peer in the close frame", Read + ". Send \"internal error\" and nothing of the exception.");
        Check.True(run.Events is [ConnectionFailed { Sent.Code: 1011 } f] && ReferenceEquals(f.Cause, secret),
            $"step 4: the events after Fail: expected one ConnectionFailed with 1011 and the exception as its cause, got {ProtocolRun.List(run.EventSigs)}", Read + "\n" + run.Story());
        Check.True(ReferenceEquals(run.Protocol.Failure, secret), "step 4: Failure must be the exception given to Fail", Read);
        Check.Equal(run.Protocol.State, ConnectionState.Closing, "step 4: State after Fail", Read);
        Check.True(!run.Protocol.IsReceiving && run.Protocol.ShouldCloseTransport, "step 4: after Fail, IsReceiving must be false and ShouldCloseTransport true", Read + "\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read)]
    public void Fail_with_a_WebSocketCloseException_sends_its_status()
    {
        var run = new ProtocolRun();
        run.Protocol.Fail(new WebSocketCloseException(new CloseStatus(CloseCode.PolicyViolation, "too slow"), "the client reads too slowly"));
        run.Did("Fail(new WebSocketCloseException(1008 \"too slow\", ...))");
        Check.Equal(ProtocolRun.List(run.SentSigs), $"close [{ProtocolRun.Hex(ClientFrames.ClosePayload(1008, Encoding.UTF8.GetBytes("too slow")), 200)}]",
            "step 4: the frames to send after Fail(WebSocketCloseException(1008 \"too slow\"))",
            Read + ". This end's own verdict (the keepalive's 1011, broadcast's 1008) goes as it is: e.Status.\n" + run.Story());
        Check.True(run.Events is [ConnectionFailed { Sent.Code: 1008 }], $"step 4: the events after Fail: expected one ConnectionFailed with 1008, got {ProtocolRun.List(run.EventSigs)}", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Fail_after_this_end_sent_its_close_sends_no_second_close()
    {
        var run = new ProtocolRun();
        Check.True(run.Protocol.Close(new CloseStatus(CloseCode.NormalClosure, "bye")), "step 6: Close(1000 \"bye\") on an open connection: expected true", Read);
        run.Did("Close(1000 \"bye\")").Clear();
        run.Receive(ClientFrames.Frame(0x3, []), "a frame with the reserved opcode 0x3 (before the peer's close)");
        Check.Equal(ProtocolRun.List(run.SentSigs), "nothing", "step 4: the frames to send when the connection fails after this end's close",
            Read + ": a close frame was sent already, and nothing may follow it (§5.5.1). Queue a close only if CloseSent is null.\n" + run.Story());
        Check.True(run.Events is [ConnectionFailed { Sent.Code: 1000 }],
            $"step 4: the events: expected one ConnectionFailed whose Sent is the close already sent (1000), got {ProtocolRun.List(run.EventSigs)}",
            Read + ". ConnectionFailed(CloseSent.Value, cause): what went on the wire.\n" + run.Story());
        Check.True(run.Protocol.ShouldCloseTransport, "step 4: ShouldCloseTransport after the failure: expected true", Read);

        run.Clear();
        run.Protocol.Fail(new InvalidOperationException("a second failure"));
        run.Did("Fail(a second exception)");
        Check.True(run.Events.Count == 0 && run.Sent.Count == 0, $"step 4: a second Fail must change nothing; it gave {ProtocolRun.List(run.EventSigs)}; to send {ProtocolRun.List(run.SentSigs)}", Read);
    }
}
