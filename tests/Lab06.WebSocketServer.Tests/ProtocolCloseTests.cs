using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The closing handshake in <see cref="WebSocketProtocol"/> (step 3, the
/// peer's close; step 6, ours; notebook 06 §4; RFC 6455 §5.5.1, §7.1): the
/// code echoed without the reason, an empty close answered with an empty
/// close, never 1005 or 1006 on the wire, and who closes TCP.
/// </summary>
public class ProtocolCloseTests
{
    private const string Read = "Notebook 06 §4 (the closing handshake); RFC 6455 §5.5.1 (close), §7.1.2-§7.1.3";

    private static string CloseSig(int code, string reason = "") =>
        $"close [{ProtocolRun.Hex(ClientFrames.ClosePayload(code, Encoding.UTF8.GetBytes(reason)), 200)}]";

    [Fact, Graded(2, Hint = Read)]
    public void The_peers_close_is_echoed_with_its_code_and_no_reason()
    {
        var run = new ProtocolRun().Receive(ClientFrames.Close(1000, "bye"), "close 1000 \"bye\"");
        Check.Equal(ProtocolRun.List(run.SentSigs), CloseSig(1000),
            "step 3: the frames to send after the peer's close 1000 \"bye\": one close, 1000, no reason",
            Read + ". §5.5.1: \"the endpoint typically echos the status code it received\"; the reason is the peer's, not ours: new CloseStatus(status.Code, \"\").\n" + run.Story());
        Check.Equal(ProtocolRun.List(run.EventSigs), "close received 1000 \"bye\"", "step 3: the events after close 1000 \"bye\"",
            Read + ". Report it: CloseReceived with the parsed status (code and reason).\n" + run.Story());
        Check.Equal(run.Protocol.State, ConnectionState.Closing, "step 3: State after the peer's close", Read);
        Check.Equal(run.Protocol.CloseReceived, new CloseStatus(1000, "bye"), "step 3: CloseReceived", Read);
        Check.Equal(run.Protocol.CloseSent, new CloseStatus(1000, ""), "step 3: CloseSent (the echo)", Read);
        Check.True(run.Protocol.IsCloseHandshakeComplete, "step 3: IsCloseHandshakeComplete after the echo: expected true (both close frames went)", Read + "\n" + run.Story());
        Check.True(run.Protocol.ShouldCloseTransport, "step 3: ShouldCloseTransport of a server after the handshake: expected true",
            Read + "; §7.1.1: the TCP connection \"SHOULD be closed first by the server\".\n" + run.Story());
        Check.True(!run.Protocol.IsReceiving, "step 3: IsReceiving after the peer's close: expected false (§5.5.1: nothing may follow it)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Every_valid_code_is_echoed_as_it_came()
    {
        foreach (int code in new[] { 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 })
        {
            var run = new ProtocolRun().Receive(ClientFrames.Close(code, "why"), $"close {code} \"why\"");
            Check.Equal(ProtocolRun.List(run.SentSigs), CloseSig(code), $"step 3: the frames to send after the peer's close {code}",
                Read + "; §7.4. Echo the code the peer sent.\n" + run.Story());
        }
    }

    [Fact, Graded(2, Hint = Read + "; §7.1.5")]
    public void An_empty_close_is_answered_with_an_empty_close()
    {
        var run = new ProtocolRun().Receive(ClientFrames.EmptyClose(), "a close with no payload");
        Check.Equal(ProtocolRun.List(run.SentSigs), "close []", "step 3: the frames to send after an empty close",
            Read + ". No code came, so none goes back: CloseStatus.Empty. 1005 (No Status Received) is for the API only and \"MUST NOT be set as a status code in a Close control frame\" (§7.4.1).\n" + run.Story());
        Check.True(run.Events is [CloseReceived { Status.Code: null, Status.ReportedCode: 1005 }],
            $"step 3: the events after an empty close: expected CloseReceived with no code (reported as 1005), got {ProtocolRun.List(run.EventSigs)}", Read + "\n" + run.Story());
        Check.True(run.Protocol.IsCloseHandshakeComplete && run.Protocol.State == ConnectionState.Closing,
            "step 3: after the empty close and its answer, IsCloseHandshakeComplete must be true and State Closing", Read + "\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read + "; §7.1.1")]
    public void A_client_whose_handshake_is_done_waits_for_the_server_to_close_TCP()
    {
        // The server's frames are unmasked: this end is the client.
        var run = new ProtocolRun(Role.Client).Receive(ClientFrames.Frame(Op.Close, ClientFrames.ClosePayload(1001, "going"u8), key: null), "an unmasked close 1001 \"going\" from the server");
        Check.Equal(ProtocolRun.List(run.SentSigs), CloseSig(1001), "step 3: the frames a client sends after the server's close 1001", Read + "\n" + run.Story());
        Check.True(run.Protocol.IsCloseHandshakeComplete, "step 3: IsCloseHandshakeComplete of the client after its echo: expected true", Read + "\n" + run.Story());
        Check.True(!run.Protocol.ShouldCloseTransport, "step 3: ShouldCloseTransport of a client after the handshake: expected false",
            Read + "; §7.1.1: the server closes TCP first; a client waits for it (and its close timeout).\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read)]
    public void A_half_received_message_is_dropped_and_nothing_after_the_close_counts()
    {
        var run = new ProtocolRun()
            .Receive(ClientFrames.Text("Hel", fin: false), "text \"Hel\", FIN=0")
            .Receive(ClientFrames.Glue(ClientFrames.Close(1000), ClientFrames.Continuation("lo", fin: true), ClientFrames.Ping("p"u8), ClientFrames.Text("more")),
                "close 1000, then a continuation \"lo\", a ping and a text, in one buffer");
        Check.Equal(ProtocolRun.List(run.EventSigs), "close received 1000 \"\"", "step 3: the events after a close in the middle of a message, with frames behind it",
            Read + ". §5.5.1: after a close frame the peer sends nothing, so what follows is ignored (ReceiveFrames decodes only while IsReceiving, and then uses the rest unread), and the message it left half done never comes (Clear() the assembler).\n" + run.Story());
        Check.Equal(ProtocolRun.List(run.SentSigs), CloseSig(1000), "step 3: the frames to send: the echo only (no pong for a ping after the close)", Read + "\n" + run.Story());
    }

    [Fact, Graded(2, Hint = Read + "; §7.1.2")]
    public void Close_queues_a_close_frame_and_the_peers_answer_completes_the_handshake()
    {
        var run = new ProtocolRun();
        bool first = run.Protocol.Close(new CloseStatus(CloseCode.NormalClosure, "bye"));
        run.Did("Close(1000 \"bye\")");
        Check.True(first, "step 6: Close(1000 \"bye\") on an open connection: expected true", Read);
        Check.Equal(ProtocolRun.List(run.SentSigs), CloseSig(1000, "bye"), "step 6: the frames to send after Close(1000 \"bye\")",
            Read + ". Queue the frame (code and reason) and set CloseSent.\n" + run.Story());
        Check.Equal(run.Protocol.State, ConnectionState.Closing, "step 6: State after Close", Read + ". No more data goes once the close is sent: Closing.");
        Check.Equal(run.Protocol.CloseSent, new CloseStatus(1000, "bye"), "step 6: CloseSent after Close", Read);
        Check.True(!run.Protocol.IsCloseHandshakeComplete && !run.Protocol.ShouldCloseTransport,
            "step 6: before the peer answers, the handshake is not complete and TCP stays open", Read + "\n" + run.Story());

        run.Clear().Receive(ClientFrames.Close(1000, "ok"), "the peer's answer, close 1000 \"ok\"");
        Check.Equal(ProtocolRun.List(run.SentSigs), "nothing", "steps 3 and 6: the frames to send when the peer answers our close",
            Read + ". We sent a close already: HandleClose answers only when CloseSent is null.\n" + run.Story());
        Check.Equal(ProtocolRun.List(run.EventSigs), "close received 1000 \"ok\"", "steps 3 and 6: the events when the peer answers our close", Read + "\n" + run.Story());
        Check.True(run.Protocol.IsCloseHandshakeComplete, "steps 3 and 6: IsCloseHandshakeComplete after both closes: expected true", Read + "\n" + run.Story());
        Check.True(run.Protocol.ShouldCloseTransport, "steps 3 and 6: ShouldCloseTransport of a server after both closes: expected true",
            Read + "; §7.1.1: the server closes TCP first.\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read + "; §7.1.1")]
    public void A_client_that_closed_first_does_not_close_TCP_when_the_answer_comes()
    {
        var run = new ProtocolRun(Role.Client);
        Check.True(run.Protocol.Close(new CloseStatus(CloseCode.NormalClosure)), "step 6: Close(1000) on an open client connection: expected true", Read);
        run.Did("Close(1000)").Receive(ClientFrames.Frame(Op.Close, ClientFrames.ClosePayload(1000, []), key: null), "the server's unmasked close 1000");
        Check.True(run.Protocol.IsCloseHandshakeComplete && !run.Protocol.ShouldCloseTransport,
            $"step 6: a client after both closes: expected IsCloseHandshakeComplete true and ShouldCloseTransport false, got {run.Protocol.IsCloseHandshakeComplete} and {run.Protocol.ShouldCloseTransport}",
            Read + "; §7.1.1: the client waits for the server to close TCP.\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read + "; §7.1.2")]
    public void Messages_that_arrive_after_our_close_are_still_delivered()
    {
        var run = new ProtocolRun();
        Check.True(run.Protocol.Close(new CloseStatus(CloseCode.GoingAway, "leaving")), "step 6: Close(1001) on an open connection: expected true", Read);
        run.Did("Close(1001 \"leaving\")").Clear().Receive(ClientFrames.Text("in flight"), "a text the peer sent before it saw our close");
        Check.Equal(ProtocolRun.List(run.EventSigs), $"message text [{ProtocolRun.Hex("in flight"u8)}]", "step 6: the events of a message that arrives after our close",
            Read + ". Until the peer's close comes, it may still send data (it had not seen ours): Close stops our sending, not our receiving.\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read)]
    public void Close_twice_or_after_the_peers_close_returns_false_and_queues_nothing()
    {
        var run = new ProtocolRun();
        Check.True(run.Protocol.Close(new CloseStatus(CloseCode.NormalClosure)), "step 6: the first Close(1000): expected true", Read);
        run.Did("Close(1000)").Clear();
        bool second = run.Protocol.Close(new CloseStatus(CloseCode.GoingAway));
        run.Did("Close(1001) again");
        Check.True(!second && run.Sent.Count == 0, $"step 6: a second Close: expected false and no frame, got {second} and {ProtocolRun.List(run.SentSigs)}",
            Read + ". One close frame per connection: return false when CloseSent is set.\n" + run.Story());
        Check.Equal(run.Protocol.CloseSent, new CloseStatus(1000, ""), "step 6: CloseSent after a second Close (it must stay the first)", Read);

        var peerFirst = new ProtocolRun().Receive(ClientFrames.Close(1000), "the peer's close 1000").Clear();
        bool after = peerFirst.Protocol.Close(new CloseStatus(CloseCode.NormalClosure));
        peerFirst.Did("Close(1000)");
        Check.True(!after && peerFirst.Sent.Count == 0, $"step 6: Close after the peer's close was echoed: expected false and no frame, got {after} and {ProtocolRun.List(peerFirst.SentSigs)}",
            Read + ". Only while State is Open.\n" + peerFirst.Story());
    }

    [Fact, Graded(1, Hint = Read + "; §7.4")]
    public void Close_refuses_codes_that_may_not_be_sent_and_long_reasons()
    {
        var run = new ProtocolRun();
        foreach (var status in new CloseStatus[] { new(1005, ""), new(1006, ""), new(1015, ""), new(999, ""), new(5000, ""), new(1000, new string('r', 124)) })
        {
            var thrown = Record.Exception(() => run.Protocol.Close(status));
            Check.True(thrown is ArgumentException, $"step 6: Close({status.Code} with a reason of {Encoding.UTF8.GetByteCount(status.Reason)} bytes): expected ArgumentException, got {thrown?.GetType().Name ?? "no exception"}",
                Read + ". 1005, 1006 and 1015 are for APIs only; a reason is at most 123 bytes. Frame.Close(status) checks it (Lab 05).");
        }
        run.Take();
        Check.True(run.Sent.Count == 0 && run.Protocol.State == ConnectionState.Open && run.Protocol.CloseSent is null,
            "step 6: a refused Close must queue nothing and leave the connection open", Read + "\n" + run.Story());
        Check.True(run.Protocol.Close(new CloseStatus(1000, new string('r', 123))), "step 6: Close(1000 with a reason of 123 bytes) after the refused ones: expected true", Read);
        run.Did("Close(1000, 123-byte reason)");
        Check.True(run.Sent is [{ Opcode: Opcode.Close, Payload.Length: 125 }], $"step 6: the frames to send: expected one close of 125 bytes, got {ProtocolRun.List(run.SentSigs)}", Read + "\n" + run.Story());
    }
}
