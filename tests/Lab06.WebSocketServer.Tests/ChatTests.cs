using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The chat room behind /chat (notebook 06 §7; steps 12 and 14): join and
/// leave notices with the count, the same events in two subprotocols
/// (RFC 6455 §1.9: <c>chat</c> plain lines, <c>json</c> objects), refusals,
/// and a whole session as annotated frames both ways, in a snapshot.
/// </summary>
public sealed class ChatTests
{
    private const string Chat = "Notebook 06 §7 (pool, broadcast, chat); RFC 6455 §1.9 (subprotocols)";

    /// <summary>The chat's clock, fixed so that times in messages are known.</summary>
    private static readonly DateTimeOffset Now = new(2030, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private const string NowText = "2030-01-02T03:04:05.678Z";

    private static TestServer StartChat() => TestServer.Start(new ServerOptions { Time = new FixedTime(Now) });

    /// <summary>The member that joined last (the one not in <paramref name="known"/>).</summary>
    private static async Task<WebSocketConnection> NewMemberAsync(TestServer server, params WebSocketConnection[] known)
    {
        await Eventually.TrueAsync(() => server.Server.Chat.Members.Count == known.Length + 1, Loopback.DefaultBound,
            $"step 14: the chat room to have {known.Length + 1} member(s) (ChatRoom.Join adds each to Members)", server.Context);
        return server.Server.Chat.Members.Connections.Single(c => !known.Contains(c));
    }

    private static async Task<string> TextAsync(WebSocket ws, string what, TestServer server)
    {
        var (type, data) = await DotnetWs.ReceiveAsync(ws, what, server.Context);
        Check.Equal(type, WebSocketMessageType.Text, $"the type of {what}", Chat + ". The room speaks text.");
        return Encoding.UTF8.GetString(data);
    }

    private static Task SendTextAsync(WebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, default).Within(Loopback.DefaultBound, $"a client to send {Visible.Quoted(text)}");

    [Fact, Graded(2, Hint = Chat)]
    public async Task Members_get_join_and_leave_notices_with_the_count()
    {
        await using var server = StartChat();
        using var a = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context);
        var aId = await NewMemberAsync(server);
        Check.Equal(await TextAsync(a, "step 14: A's own join notice", server), $"→ {aId.ShortId} joined (1 here)", "step 14: the first member's own join notice",
            Chat + ". Join: Members.Add, then Announce(\"join\") to everyone, the newcomer too.");

        using var b = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context, subprotocol: "chat");
        var bId = await NewMemberAsync(server, aId);
        var joined = $"→ {bId.ShortId} joined (2 here)";
        Check.Equal(await TextAsync(a, "step 14: the notice to A that B joined", server), joined, "step 14: what A hears when B joins", Chat);
        Check.Equal(await TextAsync(b, "step 14: B's own join notice", server), joined, "step 14: B's own join notice", Chat);

        await b.CloseAsync(WebSocketCloseStatus.NormalClosure, "", default).Within(Loopback.DefaultBound, "B's close", server.Context);
        Check.Equal(await TextAsync(a, "step 14: the notice to A that B left", server), $"← {bId.ShortId} left (1 here)", "step 14: what A hears when B leaves",
            Chat + ". Leave: if Members.Remove took it out, Announce(\"leave\") to those left.");
        Check.Equal(server.Server.Chat.Members.Count, 1, "step 14: Members.Count after B left", Chat);
    }

    [Fact, Graded(2, Hint = Chat)]
    public async Task Chat_and_json_members_each_get_every_message_in_their_own_format()
    {
        await using var server = StartChat();
        using var a = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context, subprotocol: "chat");
        var aId = await NewMemberAsync(server);
        await TextAsync(a, "A's join notice", server);
        using var b = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context, subprotocol: "json");
        Check.Equal(b.SubProtocol, "json", "the subprotocol B got", Chat);
        var bId = await NewMemberAsync(server, aId);
        await TextAsync(a, "the notice to A that B joined", server);
        using (var join = JsonDocument.Parse(await TextAsync(b, "step 14: B's join notice, in json", server)))
        {
            var j = join.RootElement;
            Check.Equal((j.GetProperty("type").GetString(), j.GetProperty("id").GetGuid(), j.GetProperty("time").GetString(), j.GetProperty("count").GetInt32()),
                ("join", bId.Id, NowText, 2), "step 14: B's join notice (type, id, time, count)", Chat + ". A json member gets {\"type\":\"join\",\"id\",\"time\",\"count\"}.");
        }

        await SendTextAsync(a, "hello from chat");
        Check.Equal(await TextAsync(a, "step 12: A's own message, broadcast back to it", server), $"{aId.ShortId}: hello from chat", "step 12: what A (chat) gets for its own message",
            Chat + ". Every member gets every message, the sender too.");
        using (var message = JsonDocument.Parse(await TextAsync(b, "step 12: A's message, in json for B", server)))
        {
            var m = message.RootElement;
            Check.Equal((m.GetProperty("type").GetString(), m.GetProperty("from").GetGuid(), m.GetProperty("time").GetString(), m.GetProperty("text").GetString()),
                ("message", aId.Id, NowText, "hello from chat"), "step 12: what B (json) gets for A's message (type, from, time, text)", Chat);
        }

        await SendTextAsync(b, """{"text": "hello from json"}""");
        Check.Equal(await TextAsync(a, "step 12: B's message, as a line for A", server), $"{bId.ShortId}: hello from json", "step 12: what A (chat) gets for B's json message", Chat);
        using (var echo = JsonDocument.Parse(await TextAsync(b, "step 12: B's own message back, in json", server)))
            Check.Equal(echo.RootElement.GetProperty("text").GetString(), "hello from json", "step 12: the text of B's own message back", Chat);
    }

    [Fact, Graded(1, Hint = Chat)]
    public async Task A_binary_message_in_the_chat_is_refused_with_1003()
    {
        await using var server = StartChat();
        using var a = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context);
        await TextAsync(a, "A's join notice", server);
        await a.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, default).Within(Loopback.DefaultBound, "A to send binary");
        var (type, _) = await DotnetWs.ReceiveAsync(a, "step 10: the close frame after a binary message in the chat", server.Context);
        Check.Equal(type, WebSocketMessageType.Close, "step 10: what came after a binary message in the chat", Chat);
        Check.Equal(a.CloseStatus, WebSocketCloseStatus.InvalidMessageType, "step 10: the close code for binary in a text-only room",
            Chat + "; RFC 6455 §7.4.1: 1003, \"a type of data it cannot accept\". OnMessageAsync calls CloseAsync (step 10).");
    }

    [Fact]
    public async Task A_json_member_that_sends_no_text_field_gets_an_error_object()
    {
        await using var server = StartChat();
        using var b = await DotnetWs.ConnectAsync(server.Ws("/chat"), server.Context, subprotocol: "json");
        await TextAsync(b, "B's join notice", server);
        foreach (var bad in new[] { "not json at all", """{"txt": "typo"}""", """{"text": 42}""", "[]" })
        {
            await SendTextAsync(b, bad);
            using var error = JsonDocument.Parse(await TextAsync(b, $"the error object for {Visible.Quoted(bad)}", server));
            Check.Equal(error.RootElement.GetProperty("type").GetString(), "error", $"the type of the answer to {Visible.Quoted(bad)}", Chat);
        }
        Check.Equal(b.State, WebSocketState.Open, "a json member's state after bad input (an error object, not a close)", Chat);
    }

    /// <summary>
    /// A whole session, frame by frame, as the approved file shows it: two raw
    /// clients (so the test picks the masking keys), A in <c>chat</c> and B in
    /// <c>json</c>: joins, messages both ways, a refusal, a ping, B's close
    /// and its leave notice, A's close. Ids are swapped for fixed ones of the
    /// same length before formatting, so the hex is stable too.
    /// </summary>
    [Fact, Graded(2, Hint = Chat + "; the approved file in tests/Lab06.WebSocketServer.Tests/snapshots/ shows every frame expected")]
    public async Task A_chat_session_frame_by_frame_matches_the_snapshot()
    {
        await using var server = StartChat();
        var log = new Transcript("A", "server");
        var ids = new List<(string From, string To)>();
        log.Note("A speaks the subprotocol chat (plain lines), B speaks json. Clients mask with fixed keys; the server never masks (RFC 6455 §5.1).");
        log.Note("Ids vary from run to run: before formatting, each is replaced by a fixed text of the same length (A's ShortId by aaaaaaaa, B's by bbbbbbbb), so the lengths and the hex stay true. The chat's clock is fixed.");

        log.Heading("A joins /chat with Sec-WebSocket-Protocol: chat");
        await using var a = await RawClient.ConnectAsync(server.EndPoint, "/chat", context: server.Context, extraHeaders: "Sec-WebSocket-Protocol: chat\r\n");
        Head(log, "A", a.ResponseHead);
        var aId = await NewMemberAsync(server);
        ids.Add((aId.Id.ToString(), "<A's Id: a UUID, 36 characters long>"));
        ids.Add((aId.ShortId, "aaaaaaaa"));
        await ReceiveAsync(log, a, "A", 1, ids);

        log.Heading("B joins /chat with Sec-WebSocket-Protocol: json");
        await using var b = await RawClient.ConnectAsync(server.EndPoint, "/chat", context: server.Context, extraHeaders: "Sec-WebSocket-Protocol: json\r\n");
        Head(log, "B", b.ResponseHead);
        var bId = await NewMemberAsync(server, aId);
        ids.Add((bId.Id.ToString(), "<B's Id: a UUID, 36 characters long>"));
        ids.Add((bId.ShortId, "bbbbbbbb"));
        await ReceiveAsync(log, a, "A", 1, ids);
        await ReceiveAsync(log, b, "B", 1, ids);

        log.Heading("A says hello: everyone gets it, A too");
        await SendAsync(log, a, "A", ClientFrames.Frame(Op.Text, "hello"u8, key: 0x11223344));
        await ReceiveAsync(log, a, "A", 1, ids);
        await ReceiveAsync(log, b, "B", 1, ids);

        log.Heading("B says hi, in json");
        await SendAsync(log, b, "B", ClientFrames.Frame(Op.Text, """{"text":"hi"}"""u8, key: 0x55667788));
        await ReceiveAsync(log, a, "A", 1, ids);
        await ReceiveAsync(log, b, "B", 1, ids);

        log.Heading("B sends json without a text field: only B gets an error");
        await SendAsync(log, b, "B", ClientFrames.Frame(Op.Text, """{"txt":"oops"}"""u8, key: 0x55667788));
        await ReceiveAsync(log, b, "B", 1, ids);

        log.Heading("A pings: the pong carries the same payload (RFC 6455 §5.5.3)");
        await SendAsync(log, a, "A", ClientFrames.Frame(Op.Ping, "are you there?"u8, key: 0x11223344));
        await ReceiveAsync(log, a, "A", 1, ids);

        log.Heading("B closes with 1000: the server echoes the code, closes TCP first, and A hears that B left");
        await SendAsync(log, b, "B", ClientFrames.Frame(Op.Close, ClientFrames.ClosePayload(1000, "bye"u8), key: 0x55667788));
        await ReceiveAsync(log, b, "B", 1, ids);
        await b.ExpectEofAsync("steps 8-10: the server's FIN after B's closing handshake");
        log.Add("server → B  FIN (the server closes TCP first, RFC 6455 §7.1.1)");
        b.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        log.Add("B → server  FIN");
        await ReceiveAsync(log, a, "A", 1, ids);

        log.Heading("A closes with 1001");
        await SendAsync(log, a, "A", ClientFrames.Frame(Op.Close, ClientFrames.ClosePayload(1001, "going"u8), key: 0x11223344));
        await ReceiveAsync(log, a, "A", 1, ids);
        await a.ExpectEofAsync("steps 8-10: the server's FIN after A's closing handshake");
        log.Add("server → A  FIN");

        log.ToString().ShouldMatchSnapshot(Scrub.Pattern(@"Sec-WebSocket-Accept: [A-Za-z0-9+/=]{28}", "Sec-WebSocket-Accept: <accept of a random key>"));
    }

    private static void Head(Transcript log, string who, string head)
    {
        log.Add($"server → {who}  the 101 head");
        foreach (var line in head.Split("\r\n"))
            log.Add("  " + line + "␍␊");
        log.Add("  ␍␊");
    }

    private static async Task SendAsync(Transcript log, RawClient client, string who, byte[] frame)
    {
        log.Add($"{who} → server  {FrameFormatter.Format(frame)}");
        await client.SendAsync(frame);
    }

    /// <summary>Receives <paramref name="count"/> frames; writes each with its ids replaced (same lengths), and its whole text when the line cuts it.</summary>
    private static async Task ReceiveAsync(Transcript log, RawClient client, string who, int count, List<(string From, string To)> ids)
    {
        for (int i = 0; i < count; i++)
        {
            var frame = await client.ReceiveFrameAsync($"frame {i + 1} of {count} for {who}");
            var payload = frame.Payload.ToArray();
            foreach (var (from, to) in ids)
                Replace(payload, Encoding.ASCII.GetBytes(from), Encoding.ASCII.GetBytes(to));
            var stable = new Frame(frame.Opcode, payload, frame.Fin, frame.Reserved);
            log.Add($"server → {who}  {FrameFormatter.Format(stable)}");
            if (frame.Opcode == Opcode.Text && payload.Length > FrameFormatter.PayloadBytesShown)
                log.Add($"    the whole text: {Encoding.UTF8.GetString(payload)}");
        }
    }

    private static void Replace(byte[] bytes, byte[] from, byte[] to)
    {
        for (int start = 0; start < bytes.Length;)
        {
            int at = bytes.AsSpan(start).IndexOf(from);
            if (at < 0)
                return;
            to.CopyTo(bytes, start + at);
            start += at + from.Length;
        }
    }
}

/// <summary>A clock that always says the same time: for chat messages that carry it.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
