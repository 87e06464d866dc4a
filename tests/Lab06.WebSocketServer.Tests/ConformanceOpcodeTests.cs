namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 4: opcodes (RFC 6455 §5.2). 0x3-0x7 are "reserved for
/// further non-control frames" and 0xB-0xF "for further control frames": an
/// endpoint that receives one fails the connection with 1002.
/// </summary>
public class ConformanceOpcodeTests
{
    private const string Read = Conformance.Read + "; notebook 06 §5; RFC 6455 §5.2 (opcodes): \"If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_\"";

    [Fact, Graded(1, Hint = Read)]
    public async Task Every_reserved_opcode_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        foreach (int opcode in new[] { 0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF })
            await Conformance.ExpectFailureAsync(server, ClientFrames.Frame(opcode, "x"u8), 1002, $"a frame with the reserved opcode 0x{opcode:X}", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_reserved_opcode_after_a_message_and_a_ping_fails_after_they_are_answered()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Text("valid"), ClientFrames.Frame(0x5, []), ClientFrames.Ping("never"u8)),
            "text \"valid\", a frame with opcode 0x5, then a ping, in one write");
        await Conformance.ExpectTextEchoAsync(client, "valid", "the text before the reserved opcode", "step 1", Read);
        await client.ExpectFailureAsync(1002, "a frame with opcode 0x5 (the ping behind it must get no pong)", Conformance.Steps,
            Read + ". After failing, the rest of the input is discarded (§7.1.7)");
    }
}
