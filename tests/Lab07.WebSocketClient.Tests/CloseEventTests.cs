namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The close event a client reports (notebook 07 §4; step 3), from the
/// pump's <see cref="ConnectionClosed"/>: RFC 6455 §7.1.5 and §7.1.6 define
/// the close code and reason as those of the close frame <em>received</em>
/// (1005 when it had no code, 1006 when none came), and §7.1.4 "closed
/// cleanly". Pure: each case is a record as Lab 06's pump makes it.
/// </summary>
public sealed class CloseEventTests
{
    private const string Step3 =
        "Lab 07 · step 3 (CloseEvent.From): report the close frame RECEIVED (closed.Received): its ReportedCode (1005 when it had no code) and its Reason, with closed.WasClean; " +
        "when none came (closed.Received is null) the event is 1006, \"\", not clean, whatever this end sent or why it failed (closed.Code is then this end's code, not the event's). " +
        "Notebook 07 §4, RFC 6455 §7.1.4-§7.1.6.";

    private static void Expect(ConnectionClosed closed, CloseEvent expected, string situation, string why)
    {
        var actual = CloseEvent.From(closed);
        Check.Equal(actual, expected, $"step 3: CloseEvent.From({situation}: {closed})", why);
    }

    [Fact, Graded(1, Hint = Step3)]
    public void A_close_frame_from_the_server_gives_its_code_and_reason()
    {
        Expect(new ConnectionClosed(4000, "bye", true, ClosedBy.Peer, Received: new CloseStatus(4000, "bye")),
            new CloseEvent(4000, "bye", true), "the server closed with 4000 \"bye\", the client answered",
            Step3 + " §7.1.5: the close code is \"the status code contained in the first Close control frame received\".");
        Expect(new ConnectionClosed(1001, "going away", true, ClosedBy.Peer, Received: new CloseStatus(1001, "going away")),
            new CloseEvent(1001, "going away", true), "the server closed with 1001 \"going away\"", Step3);
    }

    [Fact, Graded(1, Hint = Step3)]
    public void After_this_client_closed_first_the_event_reports_the_servers_answer_not_its_own_close()
    {
        Expect(new ConnectionClosed(3000, "client leaving", true, ClosedBy.Local, Received: new CloseStatus(1000, "")),
            new CloseEvent(1000, "", true), "the client closed with 3000 \"client leaving\", the server answered 1000 with no reason",
            Step3 + " The close event tells what the server said, from closed.Received; closed.Code and closed.Reason are the client's own close (for a server's log).");
        Expect(new ConnectionClosed(1000, "bye", true, ClosedBy.Local, Received: new CloseStatus(4001, "not yet")),
            new CloseEvent(4001, "not yet", true), "the client closed with 1000 \"bye\", the server answered 4001 \"not yet\"", Step3);
    }

    [Fact, Graded(1, Hint = Step3)]
    public void An_empty_close_frame_reports_1005_No_Status_Received()
    {
        Expect(new ConnectionClosed(1005, "", true, ClosedBy.Peer, Received: CloseStatus.Empty),
            new CloseEvent(1005, "", true), "the server closed with an empty close frame",
            Step3 + " §7.1.5: \"If this Close control frame contains no status code, _The WebSocket Connection Close Code_ is considered to be 1005\" (CloseStatus.ReportedCode).");
        Expect(new ConnectionClosed(1005, "", true, ClosedBy.Local, Received: CloseStatus.Empty),
            new CloseEvent(1005, "", true), "close() with no code, echoed by the server with an empty close frame", Step3);
    }

    [Fact, Graded(1, Hint = Step3)]
    public void With_no_close_frame_received_the_event_is_1006_with_no_reason_and_not_clean()
    {
        var fail = new CloseEvent(1006, "", false);
        Expect(new ConnectionClosed(1006, "", false, ClosedBy.Transport, new IOException("Connection reset by peer")),
            fail, "TCP ended with no close frame", Step3 + " §7.1.5: with no close frame received, the code is 1006.");
        Expect(new ConnectionClosed(1002, "", false, ClosedBy.Local, new WebSocketProtocolException(ProtocolError.MaskedFrame, "a masked server frame")),
            fail, "the client failed the connection with 1002 (the server masked a frame) and the server sent no close",
            Step3 + " The 1002 is what this client sent; it received no close frame, so its own close event is 1006 (as a browser reports it).");
        Expect(new ConnectionClosed(1009, "", false, ClosedBy.Local, new WebSocketProtocolException(ProtocolError.MessageTooBig, "too big")),
            fail, "the client failed the connection with 1009", Step3);
        Expect(new ConnectionClosed(1000, "bye", false, ClosedBy.Local),
            fail, "the client closed with 1000 \"bye\" and the server never answered (close timeout)",
            Step3 + " §7.1.6: with no close frame received, the reason is the empty string, not this end's.");
    }

    [Fact, Graded(1, Hint = Step3)]
    public void WasClean_comes_from_the_connection_even_when_a_close_frame_came()
    {
        Expect(new ConnectionClosed(1001, "going away", false, ClosedBy.Peer, new IOException("Broken pipe"), new CloseStatus(1001, "going away")),
            new CloseEvent(1001, "going away", false), "the server's close 1001 came, but TCP broke before the client's answer went out",
            Step3 + " §7.1.4: clean only when both close frames went before TCP closed; the pump says so in closed.WasClean.");
        Expect(new ConnectionClosed(1002, "", false, ClosedBy.Local, new WebSocketProtocolException(ProtocolError.ReservedOpcode, "opcode 3"), new CloseStatus(1000, "")),
            new CloseEvent(1000, "", false), "the server's close 1000 came, then the client failed the connection", Step3);
    }
}
