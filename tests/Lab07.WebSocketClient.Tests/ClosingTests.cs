using System.Diagnostics;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The closing handshake from the client's side (RFC 6455 §7; notebook 07
/// §4): the server closes, the client closes, nobody answers, TCP breaks.
/// The close event reports the close frame the client received (1005 when
/// it had no code, 1006 when none came), and wasClean whether both close
/// frames went before TCP ended. The server closes TCP first; a client waits
/// for it, up to its close timeout.
/// </summary>
public class ClosingTests
{
    private const string Step3 = "step 3 (CloseEvent.From)";
    private const string Step4 = "step 4 (RunAsync and Finish)";
    private const string Step6 = "step 6 (Close)";
    private const string Read = Faults.ReadClosing;
    private const string Hint = "Lab 07 · steps 3-4 (CloseEvent.From: the code and reason of the close frame received, 1005 for none, 1006 when none came; Finish: error only when not clean, then close). " + Read + ".";
    private const string CloseHint = "Lab 07 · step 6 (Close): while OPEN, inbox?.StopWaiting() then connection.CloseAsync(status) (Lab 06), with the status of step 2 (BrowserRules.CloseStatusFor). " + Read + ".";

    public static TheoryData<string> ServerCloses => ["1000 \"done\"", "4000 \"going away now\"", "an empty close"];

    [Theory, Graded(3, Hint = Hint)]
    [MemberData(nameof(ServerCloses))]
    public async Task A_servers_close_is_echoed_masked_and_the_client_waits_for_the_servers_FIN(string sent)
    {
        (int? Code, string Reason) close = sent switch
        {
            "1000 \"done\"" => (1000, "done"),
            "4000 \"going away now\"" => (4000, "going away now"),
            _ => (null, ""),
        };
        ClientFrame? echo = null;
        PeerClose? early = null, end = null;
        ConnectionState? waiting = null;
        WebSocketClient? client = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendFrameAsync(0x88, close.Code is int code ? Faults.ClosePayload(code, [.. System.Text.Encoding.UTF8.GetBytes(close.Reason)]) : []);
            echo = await c.ReadFrameAsync($"the client's answer to close {sent}", Faults.Bound);
            // RFC 6455 §7.1.1: the server closes TCP first; the client waits for it.
            early = await c.WaitForCloseAsync(TimeSpan.FromMilliseconds(300));
            waiting = client?.ReadyState;
            c.CloseOutput();
            end = await c.WaitForCloseAsync(Faults.Bound);
        });
        (client, var events) = Faults.StartClient(server.Url("/"), Faults.Options(closeTimeout: TimeSpan.FromSeconds(4)));
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step4, Read);
            var closed = await events.Closed.Within(Faults.Bound, $"the close event after the server's close {sent}", events.Story);
            string story = $"The server sent close {sent}; the client answered {echo?.ToString() ?? "nothing"}. The client's events: {events.Story()}.";
            Check.True(echo is { Opcode: 0x8, Fin: true, Masked: true }, $"{Step4}: the client's answer to close {sent} should be a masked close frame; it was {echo?.ToString() ?? "nothing"}",
                $"RFC 6455 §5.5.1: \"If an endpoint receives a Close frame and did not previously send a Close frame, the endpoint MUST send a Close frame in response\" (Lab 06 does it; a client masks it). {story}");
            Check.Equal(echo!.CloseCode, close.Code, $"{Step4}: the code in the client's answer to close {sent} (null: no code)",
                $"RFC 6455 §5.5.1: \"the endpoint typically echos the status code it received\"; an empty close gets an empty close (1005 is never on the wire). {story}");
            Check.Equal(early, (PeerClose?)null, $"{Step4}: how the client ended TCP within 300 ms of its answer, before the server closed (null: it kept TCP open, as it should)",
                $"RFC 6455 §7.1.1: \"the underlying TCP connection, in most normal cases, SHOULD be closed first by the server\"; a client waits for the server's FIN (Lab 06, Role.Client). {story}");
            Check.Equal(waiting, (ConnectionState?)ConnectionState.Closing, $"{Step4}: ReadyState after the close frames went and before TCP closed",
                $"WHATWG WebSockets: CLOSING (2) from the first close frame until TCP closes (notebook 07 §3). {story}");
            Check.Equal(end, (PeerClose?)PeerClose.Fin, $"{Step4}: how the client ended TCP after the server's FIN", $"{Read}. {story}");
            Check.Equal(closed, new CloseEvent(close.Code ?? 1005, close.Reason, true), $"{Step3}: the close event after the server's close {sent}",
                $"RFC 6455 §7.1.5-§7.1.6: the code and reason of the close frame received (1005 when it had no code); clean: both close frames went, then TCP closed. {story}");
            Check.Equal(string.Join(", ", events.Kinds), "open, close", $"{Step4}: the events of a clean close", $"An error event comes only when the close was not clean (notebook 07 §4). {story}");
            Check.Equal(events.StateAtClose, (ConnectionState?)ConnectionState.Closed, $"{Step4}: ReadyState when the close event fired", story);
        }
    }

    [Fact, Graded(2, Hint = Hint + " WebSocketOptions.CloseTimeout.")]
    public async Task A_server_that_never_closes_TCP_is_dropped_after_CloseTimeout_and_the_close_is_still_clean()
    {
        PeerClose? end = null;
        TimeSpan waited = default;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendCloseAsync(1000, "bye");
            await c.ReadFrameAsync("the client's answer to close 1000", Faults.Bound);
            var clock = Stopwatch.StartNew();
            end = await c.WaitForCloseAsync(TimeSpan.FromSeconds(6)); // the server never closes TCP
            waited = clock.Elapsed;
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options(closeTimeout: Faults.CloseTimeout));
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step4, Read, TimeSpan.FromSeconds(12));
            var closed = await events.Closed.Within(Faults.Bound, "the close event after the close timeout", events.Story);
            string story = $"The server sent close 1000 \"bye\", read the answer, and kept TCP open; the client ended TCP ({end?.ToString() ?? "not at all"}) after {waited.TotalSeconds:0.00} s. Events: {events.Story()}.";
            Check.True(end is not null && waited > TimeSpan.FromSeconds(1) && waited < TimeSpan.FromSeconds(5),
                $"{Step4}: the client should close TCP itself about CloseTimeout (1.5 s) after the closing handshake when the server does not",
                $"RFC 6455 §7.1.1: a client waits for the server to close TCP, but not for ever (Lab 06's close timer). {story}");
            Check.Equal(closed, new CloseEvent(1000, "bye", true), $"{Step3}: the close event",
                $"Both close frames went, so the close is clean even though the client closed TCP (RFC 6455 §7.1.4-§7.1.6). {story}");
            Check.True(events.Error is null, $"{Step4}: an error event came for a clean close: {events.Error?.Message}", story);
        }
    }

    [Fact, Graded(2, Hint = CloseHint)]
    public async Task Close_4001_bye_sends_a_masked_close_and_reports_the_servers_answer_cleanly()
    {
        ClientFrame? sent = null;
        ConnectionState? afterClose = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            sent = await c.ReadFrameAsync("the client's close 4001 \"bye\"", Faults.Bound);
            await c.SendCloseAsync(4001, "bye");
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options(), onOpen: ws =>
        {
            ws.Close(4001, "bye");
            afterClose = ws.ReadyState;
        });
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step6, Read);
            var closed = await events.Closed.Within(Faults.Bound, "the close event after Close(4001, \"bye\")", events.Story);
            string story = $"OnOpen called Close(4001, \"bye\"); the server read {sent?.ToString() ?? "nothing"}, answered close 4001 \"bye\" and closed TCP. Events: {events.Story()}.";
            Check.True(sent is { Opcode: 0x8, Fin: true, Masked: true, CloseCode: 4001, Text: "bye" }, $"{Step6}: Close(4001, \"bye\") should send a masked close frame 4001 \"bye\"; the server read {sent?.ToString() ?? "nothing"}",
                $"{Read}; §5.3: every client frame is masked. {story}");
            Check.Equal(afterClose, (ConnectionState?)ConnectionState.Closing, $"{Step6}: ReadyState right after Close()", $"WHATWG WebSockets close(): CLOSING (2) at once (notebook 07 §4). {story}");
            Check.Equal(closed, new CloseEvent(4001, "bye", true), $"{Step3}: the close event", $"The code and reason of the server's close frame, clean. {story}");
            Check.Equal(string.Join(", ", events.Kinds), "open, close", $"{Step4}: the events of a clean close", story);
        }
    }

    [Fact, Graded(1, Hint = "Lab 07 · step 6 (Close) and the C# way: CloseAsync calls Close and awaits Completion. " + Read + ".")]
    public async Task CloseAsync_returns_the_close_event_once_the_server_has_answered_and_closed_TCP()
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            var close = await c.ReadFrameAsync("the client's close 4002 \"done\"", Faults.Bound);
            Check.True(close is { Opcode: 0x8, Masked: true, CloseCode: 4002, Text: "done" }, $"{Step6}: CloseAsync(4002, \"done\") should send a masked close 4002 \"done\"; the server read {close}", Read);
            await c.SendCloseAsync(4002, "done");
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
        });
        await using var client = await WebSocketClient.ConnectAsync(server.Url("/"), Faults.Options()).Within(Faults.Bound, "ConnectAsync");
        var closed = await client.CloseAsync(4002, "done").Within(Faults.Bound, "CloseAsync(4002, \"done\")");
        await Faults.ScriptsDoneAsync(server, null, Step6, Read);
        Check.Equal(closed, new CloseEvent(4002, "done", true), $"{Step6}: what CloseAsync returned", Read);
        Check.Equal(client.ReadyState, ConnectionState.Closed, $"{Step6}: ReadyState after CloseAsync returned", Read);
    }

    [Fact, Graded(1, Hint = CloseHint + " Step 2: Close() with neither code nor reason is CloseStatus.Empty.")]
    public async Task Close_with_no_arguments_sends_an_empty_close_and_the_echo_reports_1005()
    {
        ClientFrame? sent = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            sent = await c.ReadFrameAsync("the client's close after Close()", Faults.Bound);
            await c.SendFrameAsync(0x88, []);
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options(), onOpen: ws => ws.Close());
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step6, Read);
            var closed = await events.Closed.Within(Faults.Bound, "the close event after Close()", events.Story);
            string story = $"OnOpen called Close(); the server read {sent?.ToString() ?? "nothing"} and answered with an empty close. Events: {events.Story()}.";
            Check.True(sent is { Opcode: 0x8, Masked: true, Payload.Length: 0 }, $"{Step6}: Close() with no arguments should send a masked close frame with no payload; the server read {sent?.ToString() ?? "nothing"}",
                $"WHATWG WebSockets close(): with no code and no reason the close frame has no body (RFC 6455 §5.5.1). {story}");
            Check.Equal(closed, new CloseEvent(1005, "", true), $"{Step3}: the close event after an empty close came back",
                $"RFC 6455 §7.1.5: a close frame with no status code is reported as 1005 (never sent on the wire). {story}");
        }
    }

    [Fact, Graded(2, Hint = Hint + " WebSocketOptions.CloseTimeout.")]
    public async Task A_close_the_server_never_answers_ends_after_CloseTimeout_with_error_and_1006()
    {
        PeerClose? end = null;
        TimeSpan waited = default;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.ReadFrameAsync("the client's close 1000", Faults.Bound);
            var clock = Stopwatch.StartNew();
            end = await c.WaitForCloseAsync(TimeSpan.FromSeconds(6)); // no answer, TCP left open
            waited = clock.Elapsed;
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options(closeTimeout: Faults.CloseTimeout), onOpen: ws => ws.Close(1000));
        await using (client)
        {
            await Faults.ScriptsDoneAsync(server, events, Step4, Read, TimeSpan.FromSeconds(12));
            var closed = await events.Closed.Within(Faults.Bound, "the close event after the close timeout", events.Story);
            string story = $"OnOpen called Close(1000); the server never answered; the client ended TCP ({end?.ToString() ?? "not at all"}) after {waited.TotalSeconds:0.00} s. Events: {events.Story()}.";
            Check.True(end is not null && waited > TimeSpan.FromSeconds(1) && waited < TimeSpan.FromSeconds(5),
                $"{Step4}: the client should drop the connection about CloseTimeout (1.5 s) after its unanswered close", $"{Read}. {story}");
            Check.Equal(closed, new CloseEvent(1006, "", false), $"{Step3}: the close event when the server never answered",
                $"RFC 6455 §7.1.5: no close frame was received, so 1006, even though this client sent 1000. {story}");
            Check.Equal(string.Join(", ", events.Kinds), "open, error, close", $"{Step4}: the events of an unanswered close", $"Not clean: error, then close. {story}");
        }
    }

    public static TheoryData<string> Drops => ["FIN", "RST"];

    [Theory, Graded(1, Hint = Hint)]
    [MemberData(nameof(Drops))]
    public async Task A_server_that_drops_TCP_in_the_middle_of_a_frame_gives_error_and_1006(string how)
    {
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            // A message and a ping: the pong says the client reads frames; then 3 of a frame's 10 bytes, and the end.
            await c.SendAsync(Faults.Glue(Faults.Frame(0x81, "whole"), Faults.Frame(0x89, "are you there")));
            await c.ReadFrameAsync("the client's pong", Faults.Bound);
            await c.SendAsync(Faults.Glue(WireFrames.Header(0x81, 10, null), "hal"u8.ToArray()));
            if (how == "FIN")
            {
                c.CloseOutput();
                await c.WaitForCloseAsync(Faults.Bound);
            }
            else
            {
                c.Reset();
            }
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options());
        await using (client)
        {
            var closed = await events.Closed.Within(Faults.Bound, $"the close event after the server's {how} in the middle of a frame", events.Story);
            await Faults.ScriptsDoneAsync(server, events, Step4, Read);
            string why = $"The server sent text \"whole\" and a ping, read the pong, then sent 3 bytes of a 10-byte frame, then {how}. TCP ended with no closing handshake: RFC 6455 §7.1.5 (1006).";
            Faults.ExpectFailedEvents(events, closed, Step4, why);
        }
    }

    [Fact, Graded(2, Hint = "Lab 07 · steps 4 and 7 (DeliverAsync raises OnMessage for each message, in order, before the end is reported). " + Read + ".")]
    public async Task Every_message_before_the_servers_close_arrives_before_the_close_event()
    {
        var frames = Enumerable.Range(0, 20).Select(i => Faults.Frame(0x81, $"m{i}")).Append(WireFrames.Frame(0x88, Faults.ClosePayload(1000, "end"u8.ToArray()), null));
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Glue([.. frames])); // 20 messages and the close in one write
            await c.ReadFrameAsync("the client's answer to close 1000", Faults.Bound);
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options());
        await using (client)
        {
            var closed = await events.Closed.Within(Faults.Bound, "the close event", events.Story);
            await Faults.ScriptsDoneAsync(server, events, Step4, Read);
            var expected = string.Join(", ", Enumerable.Range(0, 20).Select(i => $"m{i}"));
            Check.Equal(string.Join(", ", events.Messages.Select(m => m.Text)), expected, "step 7: the messages before the close, in order", $"Events: {events.Story()}");
            Check.Equal(string.Join(", ", events.Kinds.Distinct()), "open, message, close", $"{Step4}: the kinds of events, in order", $"Messages, then close last (notebook 07 §3). Events: {events.Story()}");
            Check.Equal(closed, new CloseEvent(1000, "end", true), $"{Step3}: the close event", $"Events: {events.Story()}");
        }

        // The C# way: the 20 messages (the pump acts on the close only once the application has asked for them all), then the end of await foreach.
        await using var again = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Glue([.. frames]));
            await c.ReadFrameAsync("the client's answer to close 1000", Faults.Bound);
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
        });
        await using var awaiting = await WebSocketClient.ConnectAsync(again.Url("/"), Faults.Options()).Within(Faults.Bound, "ConnectAsync");
        var received = new List<string>();
        await Bounded.RunAsync(Faults.Bound, "await foreach over ReceiveAllAsync to end after the server's close", async ct =>
        {
            await foreach (var message in awaiting.ReceiveAllAsync(ct))
                received.Add(message.Text);
        }, () => $"Received so far: {string.Join(", ", received)}");
        Check.Equal(string.Join(", ", received), string.Join(", ", Enumerable.Range(0, 20).Select(i => $"m{i}")), "step 7: the messages await foreach gave before it ended",
            "Every message before the close, in order, then the loop ends quietly after a clean close (notebook 07 §5).");
        Check.Equal(await awaiting.Completion.Within(Faults.Bound, "Completion"), new CloseEvent(1000, "end", true), "step 4: Completion after the server's close", Read);
    }

    [Fact, Graded(1, Hint = Hint + " RFC 6455 §5.5.1: nothing after a close frame is processed.")]
    public async Task What_comes_after_the_servers_close_is_ignored()
    {
        byte[] after = [];
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await c.SendAsync(Faults.Glue(WireFrames.Frame(0x88, Faults.ClosePayload(1000), null), Faults.Frame(0x81, "ignored"), Faults.Frame(0x89, "ignored"), Faults.Frame(0x83, "not even checked")));
            await c.ReadFrameAsync("the client's answer to close 1000", Faults.Bound);
            c.CloseOutput();
            await c.WaitForCloseAsync(Faults.Bound);
            after = c.Drained;
        });
        var (client, events) = Faults.StartClient(server.Url("/"), Faults.Options());
        await using (client)
        {
            var closed = await events.Closed.Within(Faults.Bound, "the close event", events.Story);
            await Faults.ScriptsDoneAsync(server, events, Step4, Read);
            string story = $"The server sent close 1000, then a text, a ping and a frame with opcode 3, in one write. Events: {events.Story()}; bytes from the client after its close frame: {Visible.Quoted(after, 60)}.";
            Check.Equal(after.Length, 0, $"{Step4}: bytes the client sent after its answer to the close (a pong?)", $"RFC 6455 §5.5.1: after the close frame \"the endpoint ... MUST NOT send any more data frames\", and §1.4: what follows the peer's close is discarded. {story}");
            Check.Equal(closed, new CloseEvent(1000, "", true), $"{Step3}: the close event", $"What came after the close is not a message and not an error. {story}");
            Check.Equal(string.Join(", ", events.Kinds), "open, close", $"{Step4}: the events", story);
        }
    }
}
