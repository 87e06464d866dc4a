using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Conformance, family 7: the closing handshake (RFC 6455 §5.5.1, §7.1,
/// §7.4). The server answers a close with the same code (an empty close
/// with an empty close), refuses codes that may not be sent and reasons
/// that are not UTF-8, ignores what follows a close, and closes TCP first.
/// </summary>
public class ConformanceCloseTests
{
    private const string Read = Conformance.Read + "; notebook 06 §4; RFC 6455 §5.5.1 (close), §7.1.1-§7.1.3 (closing), §7.4 (status codes)";
    private const string Step = "steps 3 and 8 (HandleClose, then the receive loop ends and the server closes TCP)";

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_1000_with_a_reason_is_answered_with_1000_and_then_TCP_closes()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Close(1000, "bye now"), "close 1000 \"bye now\"");
        var close = await client.ReceiveCloseAsync($"the server's answer to close 1000 ({Step})");
        Check.Equal(close.Code, 1000, $"{Step}: the code of the server's answer to close 1000", Read + ". \"the endpoint typically echos the status code it received\".\n" + client.Story());
        await client.ExpectEofAsync($"the server to close TCP after the closing handshake ({Step})");
    }

    [Fact, Graded(1, Hint = Read + "; §7.1.5")]
    public async Task An_empty_close_is_answered_with_an_empty_close()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.EmptyClose(), "a close with no payload");
        var close = await client.ReceiveCloseAsync($"the server's answer to an empty close ({Step})");
        Check.True(close.Payload.Length == 0, $"{Step}: the server's answer to an empty close: expected an empty close, got {close}",
            Read + ". No code came, so none goes back; 1005 is for APIs and never on the wire.\n" + client.Story());
        await client.ExpectEofAsync($"the server to close TCP after the closing handshake ({Step})");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Valid_codes_are_echoed()
    {
        await using var server = Conformance.Start();
        foreach (int code in new[] { 1001, 1003, 1007, 1011, 1013, 3000, 3999, 4000, 4999 })
        {
            await using var client = await Conformance.ConnectAsync(server);
            await client.SendAsync(ClientFrames.Close(code, "reason"), $"close {code} \"reason\"");
            var close = await client.ReceiveCloseAsync($"the server's answer to close {code} ({Step})");
            Check.Equal(close.Code, code, $"{Step}: the code of the server's answer to close {code}", Read + ". Echo the code.\n" + client.Story());
            await client.ExpectEofAsync($"the server to close TCP after close {code} ({Step})");
        }
        await using (var client = await Conformance.ConnectAsync(server))
        {
            await client.SendAsync(ClientFrames.Close(1000, new string('é', 61) + "x"), "close 1000 with a reason of 123 bytes (a payload of 125)");
            var close = await client.ReceiveCloseAsync($"the server's answer to a close of 125 bytes ({Step})");
            Check.Equal(close.Code, 1000, $"{Step}: the code of the server's answer to a close with the longest reason", Read + "\n" + client.Story());
            await client.ExpectEofAsync($"the server to close TCP ({Step})");
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_payload_of_1_byte_fails_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        await Conformance.ExpectFailureAsync(server, ClientFrames.Frame(Op.Close, [0x03]), 1002, "a close frame with a 1-byte payload",
            Read + ". A close payload is empty or starts with a 2-byte code", "steps 3 and 4");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Codes_that_may_not_be_sent_fail_the_connection_with_1002()
    {
        await using var server = Conformance.Start();
        foreach (int code in new[] { 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535 })
            await Conformance.ExpectFailureAsync(server, ClientFrames.Close(code, "x"), 1002, $"a close frame with code {code}",
                Read + $". {code} is not a code a close frame may carry (1000-1003, 1007-1014, 3000-4999)", "steps 3 and 4");
    }

    [Fact, Graded(1, Hint = Read + "; §8.1")]
    public async Task A_close_reason_that_is_not_UTF_8_fails_the_connection_with_1007()
    {
        await using var server = Conformance.Start();
        await Conformance.ExpectFailureAsync(server, ClientFrames.Frame(Op.Close, [0x03, 0xe8, .. "bye "u8, 0xff]), 1007,
            "close 1000 with a reason whose last byte is ff", Read + ". The reason is UTF-8 text", "steps 3 and 4");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Nothing_after_the_peers_close_is_answered()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Close(1000), ClientFrames.Text("ignored"), ClientFrames.Ping("ignored"u8)),
            "close 1000, then a text and a ping, in one write");
        var close = await client.ReceiveCloseAsync($"the server's answer to close 1000 ({Step})");
        Check.Equal(close.Code, 1000, $"{Step}: the code of the server's answer", Read + "\n" + client.Story());
        await client.ExpectEofAsync($"the server to close TCP with no echo and no pong for what followed the close ({Step})");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_message_glued_before_a_close_is_echoed_before_the_close()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Glue(ClientFrames.Text("last words"), ClientFrames.Close(1000, "bye")), "text \"last words\", then close 1000, in one write");
        await Conformance.ExpectTextEchoAsync(client, "last words", "the message that came before the close", "steps 1 and 8",
            Read + ". The peer sent the message before its close, so the message counts: hand it to the application (ReceiveFrames stops after a message) before acting on the close; the echo then goes before the answer to the close");
        var close = await client.ReceiveCloseAsync($"the server's answer to close 1000, after the echo ({Step})");
        Check.Equal(close.Code, 1000, $"{Step}: the code of the server's answer", Read + "\n" + client.Story());
        await client.ExpectEofAsync($"the server to close TCP after the closing handshake ({Step})");
    }

    [Fact, Graded(1, Hint = Read + "; §7.1.1")]
    public async Task The_server_closes_TCP_first_after_the_closing_handshake()
    {
        await using var server = Conformance.Start();
        await using var client = await Conformance.ConnectAsync(server);
        await client.SendAsync(ClientFrames.Text("before"), "text \"before\"");
        await Conformance.ExpectTextEchoAsync(client, "before", "text \"before\"");
        await client.SendAsync(ClientFrames.Close(1001, "leaving"), "close 1001 \"leaving\"");
        var close = await client.ReceiveCloseAsync($"the server's answer to close 1001 ({Step})");
        Check.Equal(close.Code, 1001, $"{Step}: the code of the server's answer to close 1001", Read + "\n" + client.Story());
        // The test keeps its socket open: the FIN must come from the server.
        await client.ExpectEofAsync($"the server's FIN while the client keeps its side open ({Step}; §7.1.1: \"the underlying TCP connection, in most normal cases, SHOULD be closed first by the server\")");
        await client.DisposeAsync(); // our FIN: the server, which drains until it, lets the connection go
        await Eventually.TrueAsync(() => server.Server.Connections.Count == 0, RawClient.Bound, "the connection to leave the server's pool after the closing handshake", server.Context);
    }
}
