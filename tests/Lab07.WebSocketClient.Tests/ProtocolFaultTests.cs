using System.Text;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// A server that breaks the protocol after a good handshake (RFC 6455 §5,
/// §7.1.7, §8.1): the client fails the connection with the code the RFC
/// names (1002 protocol error, 1007 invalid UTF-8, 1009 too big) in a masked
/// close frame, closes TCP itself at once, and the application sees error,
/// then close 1006. The rules are Lab 05's and Lab 06's (Role.Client); the
/// client's part is to report the end as a browser does (steps 3 and 4).
/// </summary>
public class ProtocolFaultTests
{
    private const string Hint = "Lab 07 · steps 3-4 (CloseEvent.From, RunAsync and Finish): the pump (Lab 06, Role.Client) fails the connection with the code; the client then raises error and close 1006. " + Faults.ReadFailing + ".";
    private const string Step = "steps 3-4 (the pump fails the connection; RunAsync/Finish report it)";
    private const string Read = Faults.ReadFailing;

    private static Func<ScriptedConnection, Task> Sends(byte[] bytes) => c => c.SendAsync(bytes);

    [Fact, Graded(1, Hint = Hint)]
    public async Task Client_fails_with_1002_on_a_masked_server_frame()
    {
        await Faults.ExpectFailureAsync("a masked text frame \"hello\" (a server never masks)", 1002,
            Sends(WireFrames.Frame(0x81, "hello"u8, 0x12345678)), Step, Read + "; §5.1: \"A client MUST close a connection if it detects a masked frame\"");
    }

    [Theory, Graded(1, Hint = Hint)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Client_fails_with_1002_on_a_reserved_bit(int rsv)
    {
        int bit = 0x80 >> rsv; // RSV1 0x40, RSV2 0x20, RSV3 0x10
        await Faults.ExpectFailureAsync($"a text frame with RSV{rsv} set (no extension was agreed)", 1002,
            Sends(Faults.Frame(0x81 | bit, "hello")), Step, Read + "; §5.2: RSV1-3 \"MUST be 0 unless an extension is negotiated\"");
    }

    public static TheoryData<int> ReservedOpcodes => [3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF];

    [Theory, Graded(1, Hint = Hint)]
    [MemberData(nameof(ReservedOpcodes))]
    public async Task Client_fails_with_1002_on_a_reserved_opcode(int opcode)
    {
        await Faults.ExpectFailureAsync($"a frame with the reserved opcode 0x{opcode:X}", 1002,
            Sends(Faults.Frame(0x80 | opcode, "data")), Step, Read + "; §5.2: \"If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_\"");
    }

    private static readonly Dictionary<string, byte[]> BrokenFrames = new()
    {
        ["a ping without FIN (a fragmented control frame)"] = Faults.Frame(0x09, "ping"),
        ["a close without FIN"] = Faults.Frame(0x08, Faults.ClosePayload(1000)),
        ["a ping of 126 bytes (over the 125 of a control frame)"] = Faults.Frame(0x89, new byte[126]),
        ["a pong of 126 bytes"] = Faults.Frame(0x8A, new byte[126]),
        ["a close with a 1-byte payload"] = Faults.Frame(0x88, [0x03]),
        ["a continuation with no message open"] = Faults.Frame(0x80, "stray"),
        ["a text frame inside a fragmented text message"] = Faults.Glue(Faults.Frame(0x01, "one "), Faults.Frame(0x81, "two")),
        ["a binary frame inside a fragmented text message"] = Faults.Glue(Faults.Frame(0x01, "one "), Faults.Frame(0x82, "two")),
        ["a continuation after a message's last fragment"] = Faults.Glue(Faults.Frame(0x01, "a"), Faults.Frame(0x80, "b"), Faults.Frame(0x80, "c")),
        ["5 bytes with a 16-bit length (not the minimal form)"] = Faults.Glue(WireFrames.Header(0x81, 5, null, 16), "hello"u8.ToArray()),
        ["200 bytes with a 64-bit length (not the minimal form)"] = Faults.Glue(WireFrames.Header(0x82, 200, null, 64), new byte[200]),
        ["a 64-bit length with its top bit set"] = WireFrames.Header(0x82, long.MinValue, null, 64),
    };

    public static TheoryData<string> BrokenFrameNames => [.. BrokenFrames.Keys];

    [Theory, Graded(2, Hint = Hint + " RFC 6455 §5.2 (lengths), §5.4 (fragmentation), §5.5 (control frames).")]
    [MemberData(nameof(BrokenFrameNames))]
    public async Task Client_fails_with_1002_on_a_frame_that_breaks_the_framing_rules(string frame)
    {
        await Faults.ExpectFailureAsync(frame, 1002, Sends(BrokenFrames[frame]), Step,
            Read + "; §5.2 (\"the minimal number of bytes MUST be used to encode the length\"; the 64-bit length's top bit is 0), §5.4 (fragments of one message, control frames between them only), §5.5 (\"All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented\"), §5.5.1 (a close payload is empty or starts with a 2-byte code)");
    }

    public static TheoryData<int> ForbiddenCloseCodes => [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535];

    [Theory, Graded(1, Hint = Hint + " RFC 6455 §7.4.")]
    [MemberData(nameof(ForbiddenCloseCodes))]
    public async Task Client_fails_with_1002_on_a_close_code_no_endpoint_may_send(int code)
    {
        await Faults.ExpectFailureAsync($"a close frame with code {code} and reason \"x\"", 1002, Sends(Faults.Frame(0x88, Faults.ClosePayload(code, (byte)'x'))), Step,
            Read + $"; §7.4.1-§7.4.2: {code} may not be in a close frame (on the wire: 1000-1003, 1007-1014, 3000-4999; 1005, 1006 and 1015 are for APIs only), so the close is a protocol error, and the event still reports 1006: no valid close came");
    }

    public static TheoryData<string> BadUtf8 => ["61 ff", "c0 af", "ed a0 80", "f4 90 80 80", "80", "6f 6b ce"];

    [Theory, Graded(2, Hint = Hint + " RFC 6455 §8.1.")]
    [MemberData(nameof(BadUtf8))]
    public async Task Client_fails_with_1007_on_a_text_message_that_is_not_UTF_8(string hex)
    {
        var bytes = Convert.FromHexString(hex.Replace(" ", ""));
        await Faults.ExpectFailureAsync($"a text message of the bytes {hex} (not UTF-8: a stray byte, an overlong form, a surrogate, past U+10FFFF, or cut inside a character)", 1007,
            Sends(Faults.Frame(0x81, bytes)), Step, Read + "; §8.1: a text message that is not valid UTF-8 fails the connection with 1007 (§7.4.1: \"data within a message that was not consistent with the type of the message\")");
    }

    [Fact, Graded(1, Hint = Hint + " RFC 6455 §5.4 and §8.1.")]
    public async Task Client_checks_UTF_8_across_fragments()
    {
        // "ok" + κ (ce ba) cut between two fragments is valid: the message arrives whole.
        // "ok" + ce, then 41: the character is broken across the fragments: 1007.
        var events = await Faults.ExpectFailureAsync("\"okκ\" with κ cut between two fragments (valid), then \"ok\\xce\" + \"A\" (κ's first byte followed by a letter)", 1007,
            Sends(Faults.Glue(
                Faults.Frame(0x01, [0x6f, 0x6b, 0xce]), Faults.Frame(0x80, [0xba]),
                Faults.Frame(0x01, [0x6f, 0x6b, 0xce]), Faults.Frame(0x80, [0x41]))),
            Step, Read + "; §8.1: UTF-8 is checked over the whole message, so a character may be cut between fragments, but it must be completed rightly");
        Check.Equal(string.Join("|", events.Messages.Select(m => m.Text)), "okκ", $"{Step}: the messages delivered before the failure", $"A character cut between two fragments is valid: the first message arrives whole (RFC 6455 §5.4). Events: {events.Story()}");
    }

    public static TheoryData<string> FailFast => ["fragment", "frame"];

    [Theory, Graded(2, Hint = Hint + " RFC 6455 §8.1; Autobahn 6.4 (fail fast on invalid UTF-8).")]
    [MemberData(nameof(FailFast))]
    public async Task Client_fails_with_1007_before_the_rest_of_the_message_arrives(string cut)
    {
        // The rest never comes: the server waits for the client's close. A client that waits for the end of the message times out here.
        var (what, bytes) = cut == "fragment"
            ? ("a first fragment (no FIN) \"ok\\xff\", and then nothing more", Faults.Frame(0x01, [0x6f, 0x6b, 0xff]))
            : ("the first 3 bytes \"ok\\xff\" of a 100-byte text frame, and then nothing more", Faults.Glue(WireFrames.Header(0x81, 100, null), [0x6f, 0x6b, 0xff]));
        await Faults.ExpectFailureAsync(what, 1007, Sends(bytes), Step,
            Read + "; §8.1: \"When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_\": as soon as it finds it, not at the end of the message (Lab 05 checks UTF-8 as the bytes come)");
    }

    [Fact, Graded(1, Hint = Hint + " RFC 6455 §5.5.1 and §8.1.")]
    public async Task Client_fails_with_1007_on_a_close_reason_that_is_not_UTF_8()
    {
        await Faults.ExpectFailureAsync("close 1000 with the reason \"bye \\xff\"", 1007, Sends(Faults.Frame(0x88, Faults.ClosePayload(1000, [.. "bye "u8, 0xff]))), Step,
            Read + "; §5.5.1: the reason \"is not guaranteed to be human readable\" but is UTF-8; invalid UTF-8 fails the connection with 1007");
    }

    public static TheoryData<string> TooBig => ["one frame", "huge", "fragments"];

    [Theory, Graded(2, Hint = Hint + " RFC 6455 §10.4; WebSocketClientOptions.Connection.Limits.")]
    [MemberData(nameof(TooBig))]
    public async Task Client_fails_with_1009_as_soon_as_a_header_announces_more_than_MaxMessageLength(string shape)
    {
        // MaxMessageLength 1000. A 1000-byte message first (allowed), then only a header: the payload
        // is never sent, so a client that waits for it (or tries to allocate it) never sends its 1009.
        var (what, header) = shape switch
        {
            "one frame" => ("a binary frame header announcing 1001 bytes (and no payload)", WireFrames.Header(0x82, 1001, null)),
            "huge" => ("a binary frame header announcing 2^40 bytes (and no payload)", WireFrames.Header(0x82, 1L << 40, null)),
            _ => ("a first fragment of 600 bytes, then the header of a second announcing 401 more (and no payload)", Faults.Glue(Faults.Frame(0x02, new byte[600]), WireFrames.Header(0x80, 401, null))),
        };
        var events = await Faults.ExpectFailureAsync(what, 1009, Sends(Faults.Glue(Faults.Frame(0x82, new byte[1000]), header)), Step,
            Read + "; §10.4 and §7.4.1 (1009: \"a message that is too big for it to process\"). The limit is decided from the header, before any payload is read",
            Faults.Options(closeTimeout: TimeSpan.FromSeconds(4), maxMessageLength: 1000));
        Check.Equal(string.Join("|", events.Messages.Select(m => m.Bytes.Length)), "1000", $"{Step}: the sizes of the messages delivered before the failure",
            $"A message of exactly MaxMessageLength (1000) bytes is allowed. Events: {events.Story()}");
    }

    [Fact, Graded(1, Hint = Hint + " RFC 6455 §10.4; WebSocketClientOptions.Connection.Limits.MaxFragments.")]
    public async Task Client_fails_with_1009_on_a_message_in_more_than_MaxFragments_frames()
    {
        // MaxFragments 4: "abcd" in 4 fragments is allowed, then a message in 5 is not.
        static byte[] Fragments(int count) => Faults.Glue([.. Enumerable.Range(0, count).Select(i =>
            Faults.Frame((i == 0 ? 0x01 : 0x00) | (i == count - 1 ? 0x80 : 0), ((char)('a' + i)).ToString()))]);
        var events = await Faults.ExpectFailureAsync("\"abcd\" in 4 fragments, then \"abcde\" in 5 (MaxFragments is 4)", 1009,
            Sends(Faults.Glue(Fragments(4), Fragments(5))), Step, Read + "; §10.4: an endpoint limits what a peer may make it hold; 1009 past the limit",
            Faults.Options(closeTimeout: TimeSpan.FromSeconds(4), maxFragments: 4));
        Check.Equal(string.Join("|", events.Messages.Select(m => m.Text)), "abcd", $"{Step}: the messages delivered before the failure",
            $"A message in exactly MaxFragments (4) frames is allowed. Events: {events.Story()}");
    }

    [Fact, Graded(2, Hint = "Lab 07 · step 7 (ReceiveAsync): after the messages that came before the end, an unclean end throws WebSocketFailedException(error, close). Notebook 07 §5, RFC 6455 §7.1.7.")]
    public async Task ReceiveAllAsync_yields_the_messages_before_a_protocol_error_then_throws_WebSocketFailedException()
    {
        ClientFrame? close = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Glue(Faults.Frame(0x81, "first"), Faults.Frame(0x82, [1, 2, 3]), Faults.Frame(0x83, "reserved opcode")));
            close = await c.ReadFrameAsync("the client's close frame after a frame with the reserved opcode 3", Faults.Bound);
            await c.WaitForCloseAsync(Faults.FinBound);
        });
        await using var client = await WebSocketClient.ConnectAsync(server.Url("/"), Faults.Options(closeTimeout: TimeSpan.FromSeconds(4)))
            .Within(Faults.Bound, "ConnectAsync to the scripted server");
        var received = new List<string>();
        WebSocketFailedException? failed = null;
        try
        {
            await Bounded.RunAsync(Faults.Bound, "await foreach over ReceiveAllAsync to end", async ct =>
            {
                await foreach (var message in client.ReceiveAllAsync(ct))
                    received.Add(message.Type == MessageType.Text ? $"text {message.Text}" : $"binary {Convert.ToHexString(message.Data.Span)}");
            }, () => $"Messages so far: {string.Join(", ", received)}");
        }
        catch (WebSocketFailedException e)
        {
            failed = e;
        }
        await Faults.ScriptsDoneAsync(server, null, "step 7", Read);
        string story = $"The server sent text \"first\", binary 010203, then a frame with opcode 3. Received: {string.Join(", ", received)}; the client's close frame: {close?.ToString() ?? "none"}.";
        Check.Equal(string.Join(", ", received), "text first, binary 010203", "step 7: the messages await foreach gave before the failure", $"Every message that came before the end is delivered first (notebook 07 §5). {story}");
        Check.True(failed is not null, "step 7: await foreach over ReceiveAllAsync ended without an exception after a protocol error",
            $"Only a clean close ends the loop quietly; an unclean end throws WebSocketFailedException (notebook 07 §5). {story}");
        Check.Equal(failed.Close, new CloseEvent(1006, "", false), "step 7: WebSocketFailedException.Close", $"RFC 6455 §7.1.5: no close frame came, so 1006. {story}");
        Check.True(failed.Error.Message.Contains("1002", StringComparison.Ordinal), $"step 7: WebSocketFailedException.Error should say the client closed with 1002; it is {Visible.Quoted(failed.Error.Message)}",
            $"The error event says why (WebSocketClient.Explain). {story}");
        Check.Equal(close?.CloseCode, (int?)1002, "step 7: the code of the client's close frame", $"{Read}. {story}");
    }
}
