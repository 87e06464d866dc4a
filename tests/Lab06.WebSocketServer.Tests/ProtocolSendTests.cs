namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Sending through <see cref="WebSocketProtocol"/> (step 5; notebook 06 §2;
/// RFC 6455 §5.4, §5.5.1): a message becomes one frame or fragments, and
/// nothing is sent once the connection is not open.
/// </summary>
public class ProtocolSendTests
{
    private const string Read = "Notebook 06 §2 (sending); RFC 6455 §5.4 (fragmentation), §5.5.1 (\"After sending a Close frame, the application MUST NOT send any more data frames\")";

    [Fact, Graded(1, Hint = Read)]
    public void Send_queues_a_message_as_one_frame_or_as_fragments()
    {
        var run = new ProtocolRun();
        bool text = run.Protocol.Send(Message.FromText("Hello"));
        run.Did("Send(text \"Hello\")");
        Check.True(text, "step 5: Send(text) on an open connection: expected true", Read);
        Check.Equal(ProtocolRun.List(run.SentSigs), "text [48 65 6c 6c 6f]", "step 5: the frames to send for Send(text \"Hello\")",
            Read + ". message.ToFrames(fragmentSize) gives the frames; add them all to framesToSend.\n" + run.Story());

        run.Clear();
        bool binary = run.Protocol.Send(Message.FromBinary(new byte[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }), fragmentSize: 4);
        run.Did("Send(binary of 10 bytes, fragmentSize: 4)");
        Check.True(binary, "step 5: Send(binary, fragmentSize: 4): expected true", Read);
        Check.Equal(ProtocolRun.List(run.SentSigs), "binary FIN=0 [00 01 02 03]; cont FIN=0 [04 05 06 07]; cont [08 09]",
            "step 5: the frames to send for 10 bytes in fragments of 4", Read + ". Pass fragmentSize on to ToFrames.\n" + run.Story());
    }

    [Fact, Graded(1, Hint = Read)]
    public void Send_returns_false_and_queues_nothing_once_the_connection_is_not_open()
    {
        var closedHere = new ProtocolRun();
        closedHere.Protocol.Close(new CloseStatus(CloseCode.NormalClosure));
        closedHere.Did("Close(1000)").Clear();
        var peerClosed = new ProtocolRun().Receive(ClientFrames.Close(1000), "the peer's close 1000").Clear();
        var failed = new ProtocolRun().Receive(ClientFrames.Frame(0x3, []), "a frame with the reserved opcode 0x3").Clear();

        foreach (var (name, run) in new[] { ("after Close", closedHere), ("after the peer's close", peerClosed), ("after a failure", failed) })
        {
            bool sent = run.Protocol.Send(Message.FromText("too late"));
            run.Did("Send(text \"too late\")");
            Check.True(!sent && run.Sent.Count == 0, $"step 5: Send {name}: expected false and no frame, got {sent} and {ProtocolRun.List(run.SentSigs)}",
                Read + ". Only while State is Open.\n" + run.Story());
        }
    }
}
