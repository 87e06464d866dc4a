namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 3: reserved bits (RFC 6455 §5.2). With no extension
/// negotiated, a frame with RSV1, RSV2 or RSV3 set fails the connection
/// with 1002; what came before it still counts.
/// </summary>
public class ConformanceReservedBitsTests
{
    private const string Read = Conformance.Read + "; notebook 06 §5; RFC 6455 §5.2: RSV1-3 \"MUST be 0 unless an extension is negotiated that defines meanings for non-zero values\"";

    [Fact, Graded(1, Hint = Read)]
    public async Task A_frame_with_a_reserved_bit_set_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        (string What, byte[] Bytes)[] cases =
        [
            ("a text frame with RSV1", ClientFrames.Frame(Op.Text, "Hello"u8, rsv: ClientFrames.Rsv1)),
            ("a binary frame with RSV2", ClientFrames.Frame(Op.Binary, [1, 2, 3], rsv: ClientFrames.Rsv2)),
            ("a ping with RSV3", ClientFrames.Frame(Op.Ping, "p"u8, rsv: ClientFrames.Rsv3)),
            ("a close with RSV1, RSV2 and RSV3", ClientFrames.Frame(Op.Close, ClientFrames.ClosePayload(1000, []), rsv: ClientFrames.Rsv1 | ClientFrames.Rsv2 | ClientFrames.Rsv3)),
        ];
        foreach (var (what, bytes) in cases)
            await Conformance.ExpectFailureAsync(server, bytes, 1002, what, Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_message_before_a_frame_with_a_reserved_bit_is_still_echoed()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Text("first"), ClientFrames.Frame(Op.Text, "second"u8, rsv: ClientFrames.Rsv2)),
            "text \"first\", then a text frame with RSV2, in one write");
        await Conformance.ExpectTextEchoAsync(client, "first", "the valid text before the bad frame", "step 1",
            Read + ". Act on each frame as it is decoded (Decode, not DecodeAll): a message before the bad frame is delivered");
        await client.ExpectFailureAsync(1002, "a text frame with RSV2 (after a valid one)", Conformance.Steps, Read);
    }
}
