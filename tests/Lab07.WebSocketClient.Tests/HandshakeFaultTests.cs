using System.Diagnostics;
using System.Net.Sockets;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The opening handshake from the client's side, against servers that get
/// it wrong (RFC 6455 §4.1; notebook 07 §2-§3): each broken answer is its
/// own clear error and never an open connection. ConnectAsync throws a
/// HandshakeFailedException whose Failure names it; in the browser's shape,
/// error then close 1006, and no open. Also: the request the client sends.
/// </summary>
public class HandshakeFaultTests
{
    private const string Hint = "Lab 07 · step 4 (WebSocketClient.RunAsync): await HandshakeClient.ConnectAsync (Lab 04); any exception → NeverOpened(e): ConnectAsync rethrows it, and Finish raises error then close 1006. " + Faults.ReadHandshake + ".";
    private const string Step = "step 4 (RunAsync: the handshake, then NeverOpened)";
    private const string Read = Faults.ReadHandshake;
    private const string RfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 §1.3's, for the key "dGhlIHNhbXBsZSBub25jZQ=="

    /// <summary>One broken answer: what the server does after reading the request, the failure it must give, and what the client offers.</summary>
    private sealed record Answer(Func<ScriptedConnection, Task> Respond, HandshakeFailure Failure, string[] Protocols);

    private static Func<ScriptedConnection, Task> Says(Func<string, string> response) => c => c.SendAsync(response(c.Key ?? ""));

    private static string Ok(string key, params string[] extra) => ScriptedConnection.SwitchingProtocols(ScriptedConnection.AcceptFor(key), extra);

    private static readonly Dictionary<string, Answer> Answers = new()
    {
        ["200 OK from a plain web server"] = new(Says(_ => "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"), HandshakeFailure.NotSwitchingProtocols, []),
        ["403 Forbidden with a short body"] = new(Says(_ => "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nno Origin"), HandshakeFailure.NotSwitchingProtocols, []),
        ["101 without Upgrade"] = new(Says(k => $"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ScriptedConnection.AcceptFor(k)}\r\n\r\n"), HandshakeFailure.MissingUpgrade, []),
        ["101 without Connection: Upgrade"] = new(Says(k => $"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: {ScriptedConnection.AcceptFor(k)}\r\n\r\n"), HandshakeFailure.MissingConnectionUpgrade, []),
        ["101 without Sec-WebSocket-Accept"] = new(Says(_ => "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"), HandshakeFailure.MissingAccept, []),
        ["101 with the accept of another key"] = new(Says(_ => ScriptedConnection.SwitchingProtocols(RfcAccept)), HandshakeFailure.IncorrectAccept, []),
        ["101 choosing superchat when chat was offered"] = new(Says(k => Ok(k, "Sec-WebSocket-Protocol: superchat")), HandshakeFailure.UnofferedSubprotocol, ["chat"]),
        ["101 choosing chat when none was offered"] = new(Says(k => Ok(k, "Sec-WebSocket-Protocol: chat")), HandshakeFailure.UnofferedSubprotocol, []),
        ["101 accepting permessage-deflate, which was not offered"] = new(Says(k => Ok(k, "Sec-WebSocket-Extensions: permessage-deflate")), HandshakeFailure.UnofferedExtension, []),
        ["an answer that is not HTTP"] = new(Says(_ => "SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n"), HandshakeFailure.MalformedResponse, []),
        ["TCP closed with no answer"] = new(c => { c.CloseOutput(); return Task.CompletedTask; }, HandshakeFailure.NoResponse, []),
    };

    public static TheoryData<string> AnswerNames => [.. Answers.Keys];

    /// <summary>A server that reads the request, answers as told, and then waits for the client to hang up, keeping what else it sends.</summary>
    private static ScriptedServer Refusing(Answer answer, Action<PeerClose?, byte[]> ended) => ScriptedServer.Start(async c =>
    {
        await c.ReadRequestHeadAsync(Faults.Bound);
        await answer.Respond(c);
        var end = await c.WaitForCloseAsync(Faults.Bound);
        ended(end, c.Drained);
    });

    /// <summary>The client closed TCP after the refusal and sent nothing after its request: no connection was ever open.</summary>
    private static void ExpectHungUp(PeerClose? end, byte[]? after, string what)
    {
        Check.True(end is not null, $"{Step}: the client kept TCP open for {Durations.Describe(Faults.Bound)} after {what}",
            $"{Read}: a failed handshake closes the connection (RFC 6455 §4.1: \"the client MUST _Fail the WebSocket Connection_\").");
        Check.True(after is { Length: 0 }, $"{Step}: after {what} the client sent {Visible.Quoted(after ?? [], 80)}; it should send nothing more",
            $"{Read}: no WebSocket connection exists after a refusal, so no frame (not even a close) goes out.");
    }

    [Theory, Graded(3, Hint = Hint)]
    [MemberData(nameof(AnswerNames))]
    public async Task ConnectAsync_throws_a_HandshakeFailedException_naming_what_the_server_got_wrong(string answer)
    {
        var expected = Answers[answer];
        (PeerClose? End, byte[] After)? seen = null;
        await using var server = Refusing(expected, (end, after) => seen = (end, after));
        Exception? thrown = null;
        try
        {
            await using var client = await WebSocketClient.ConnectAsync(server.Url("/echo"), Faults.Options(protocols: expected.Protocols))
                .Within(Faults.Bound + Faults.ConnectTimeout, $"ConnectAsync against a server that answers: {answer}");
            Check.Fail($"{Step}: ConnectAsync returned an open client against a server that answers: {answer}; expected a HandshakeFailedException ({expected.Failure})", Read);
        }
        catch (Exception e) when (e is not ShouldAssertException and not TimeoutException)
        {
            thrown = e;
        }
        var failure = thrown as HandshakeFailedException;
        Check.True(failure is not null, $"{Step}: ConnectAsync against \"{answer}\" threw {thrown?.GetType().Name}: {thrown?.Message}; expected a HandshakeFailedException ({expected.Failure})",
            $"{Read}. RunAsync hands Lab 04's exception to NeverOpened, which fails ConnectAsync with it as it is.");
        Check.Equal(failure.Failure, expected.Failure, $"{Step}: HandshakeFailedException.Failure for \"{answer}\" (message: {failure.Message})", Read);
        Check.True(failure.Message.Length > 0, $"{Step}: the exception for \"{answer}\" has no message", Read);
        await Faults.ScriptsDoneAsync(server, null, Step, Read);
        ExpectHungUp(seen?.End, seen?.After, $"\"{answer}\"");
    }

    [Theory, Graded(2, Hint = Hint)]
    [MemberData(nameof(AnswerNames))]
    public async Task A_broken_answer_raises_error_then_close_1006_and_never_open(string answer)
    {
        var expected = Answers[answer];
        (PeerClose? End, byte[] After)? seen = null;
        await using var server = Refusing(expected, (end, after) => seen = (end, after));
        var client = new WebSocketClient(server.Url("/echo"), Faults.Options(protocols: expected.Protocols));
        var events = Faults.Recorder.Attach(client);
        Check.Equal(client.ReadyState, ConnectionState.Connecting, $"{Step}: ReadyState of a new client", "WHATWG WebSockets: a new WebSocket is CONNECTING (0) (notebook 07 §3).");
        await using (client)
        {
            client.Connect();
            var closed = await events.Closed.Within(Faults.Bound + Faults.ConnectTimeout, $"the close event after \"{answer}\"", events.Story);
            string story = $"The server answered: {answer}. The client's events: {events.Story()}.";
            Check.True(!events.Kinds.Contains("open"), $"{Step}: OnOpen fired although the server answered: {answer}", $"{Read}. {story}");
            Check.Equal(string.Join(", ", events.Kinds), "error, close", $"{Step}: the events after \"{answer}\"", $"{Read}: error, then close. {story}");
            Check.Equal(closed, new CloseEvent(1006, "", false), $"{Step}: the close event after \"{answer}\"", $"{Read}: a connection that never opened closes with 1006, \"\", not clean. {story}");
            Check.Equal((events.Error?.Exception as HandshakeFailedException)?.Failure, (HandshakeFailure?)expected.Failure,
                $"{Step}: the Failure of the HandshakeFailedException in ErrorEvent.Exception (it is {events.Error?.Exception?.GetType().Name ?? "null"})", $"NeverOpened passes the exception to the error event. {story}");
            Check.Equal(events.StateAtError, (ConnectionState?)ConnectionState.Closed, $"{Step}: ReadyState when the error event fired", $"Notebook 07 §3: CLOSED before error and close fire. {story}");
            Check.Equal(client.ReadyState, ConnectionState.Closed, $"{Step}: ReadyState after the close event", story);
            Check.Equal(client.Protocol, "", $"{Step}: Protocol of a connection that never opened", story);
        }
        await Faults.ScriptsDoneAsync(server, events, Step, Read);
        ExpectHungUp(seen?.End, seen?.After, $"\"{answer}\"");
    }

    [Fact, Graded(1, Hint = Hint)]
    public async Task A_refusal_and_a_wrong_accept_are_explained_in_their_messages()
    {
        async Task<HandshakeFailedException> FailureFor(string answer)
        {
            await using var server = Refusing(Answers[answer], (_, _) => { });
            try
            {
                await using var client = await WebSocketClient.ConnectAsync(server.Url("/echo"), Faults.Options()).Within(Faults.Bound, $"ConnectAsync against: {answer}");
            }
            catch (HandshakeFailedException e)
            {
                return e;
            }
            Check.Fail($"{Step}: ConnectAsync succeeded against: {answer}", Read);
            return null!;
        }
        var refused = await FailureFor("403 Forbidden with a short body");
        Check.True(refused.Message.Contains("403", StringComparison.Ordinal) && refused.Message.Contains("no Origin", StringComparison.Ordinal),
            $"{Step}: the message for a 403 whose body says \"no Origin\" should give the status and quote the body; it is {Visible.Quoted(refused.Message)}",
            $"{Read}. A refusing server usually says why in a line of text (Lab 04 reads a short body).");
        var wrong = await FailureFor("101 with the accept of another key");
        Check.True(wrong.Message.StartsWith("Incorrect 'Sec-WebSocket-Accept' header value", StringComparison.Ordinal),
            $"{Step}: the message for a wrong accept should start with \"Incorrect 'Sec-WebSocket-Accept' header value\", as browsers say it; it is {Visible.Quoted(wrong.Message)}", Read);
    }

    [Fact, Graded(2, Hint = Hint + " WebSocketClientOptions.ConnectTimeout.")]
    public async Task A_server_that_never_answers_fails_with_NoResponse_after_ConnectTimeout()
    {
        PeerClose? end = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync(Faults.Bound);
            end = await c.WaitForCloseAsync(Faults.Bound); // never answers
        });
        var options = Faults.Options(connectTimeout: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        HandshakeFailedException? failure = null;
        try
        {
            await using var client = await WebSocketClient.ConnectAsync(server.Url("/echo"), options).Within(Faults.Bound, "ConnectAsync against a server that never answers (ConnectTimeout 1 s)");
        }
        catch (HandshakeFailedException e)
        {
            failure = e;
        }
        var took = clock.Elapsed;
        Check.True(failure is not null, $"{Step}: ConnectAsync against a silent server did not throw a HandshakeFailedException", Read);
        Check.Equal(failure.Failure, HandshakeFailure.NoResponse, $"{Step}: the Failure when no answer comes within ConnectTimeout (message: {failure.Message})", Read);
        Check.True(took > TimeSpan.FromSeconds(0.5) && took < TimeSpan.FromSeconds(4),
            $"{Step}: ConnectAsync gave up after {took.TotalSeconds:0.00} s; ConnectTimeout was 1 s", $"{Read}. Pass Options.ConnectTimeout to Lab 04 (ClientHandshakeOptions.Timeout).");
        await Faults.ScriptsDoneAsync(server, null, Step, Read);
        Check.True(end is not null, $"{Step}: the client did not close TCP after its connect timeout", Read);

        // The browser's shape: error, then close 1006, after the timeout.
        await using var silent = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync(Faults.Bound);
            await c.WaitForCloseAsync(Faults.Bound);
        });
        var (browser, events) = Faults.StartClient(silent.Url("/echo"), options);
        await using (browser)
        {
            var closed = await events.Closed.Within(Faults.Bound, "the close event after the connect timeout", events.Story);
            Check.Equal(string.Join(", ", events.Kinds), "error, close", $"{Step}: the events after the connect timeout", $"{Read}. Events: {events.Story()}");
            Check.Equal(closed, new CloseEvent(1006, "", false), $"{Step}: the close event after the connect timeout", Read);
        }
    }

    [Fact, Graded(1, Hint = Hint)]
    public async Task No_server_listening_fails_with_a_SocketException_and_an_error_event()
    {
        // A port that was free a moment ago, with nobody listening: the connection is refused.
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(Loopback.AnyPort());
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        string url = $"ws://127.0.0.1:{port}/echo";
        Exception? thrown = null;
        try
        {
            await using var client = await WebSocketClient.ConnectAsync(url, Faults.Options()).Within(Faults.Bound, $"ConnectAsync to {url}, where nothing listens");
        }
        catch (Exception e) when (e is not TimeoutException)
        {
            thrown = e;
        }
        Check.True(thrown is SocketException { SocketErrorCode: SocketError.ConnectionRefused },
            $"{Step}: ConnectAsync to a port where nothing listens threw {thrown?.GetType().Name} {(thrown as SocketException)?.SocketErrorCode}: {thrown?.Message}; expected a SocketException (ConnectionRefused)",
            $"{Read}. With no TCP connection there is no handshake to fail: the socket's own exception is the answer.");

        var (browser, events) = Faults.StartClient(url, Faults.Options());
        await using (browser)
        {
            var closed = await events.Closed.Within(Faults.Bound, $"the close event after connecting to {url}", events.Story);
            Check.Equal(string.Join(", ", events.Kinds), "error, close", $"{Step}: the events when nothing listens", $"{Read}. Events: {events.Story()}");
            Check.Equal(closed, new CloseEvent(1006, "", false), $"{Step}: the close event when nothing listens", Read);
            Check.True(events.Error?.Exception is SocketException, $"{Step}: ErrorEvent.Exception should be the SocketException; it is {events.Error?.Exception?.GetType().Name ?? "null"}", Read);
        }
    }

    [Fact, Graded(2, Hint = "Lab 07 · step 4 (RunAsync): Lab 04's handshake with Url and the options (Protocols, Origin, ConnectTimeout). Notebook 07 §6, RFC 6455 §4.1 (the client's requirements, items 1-12).")]
    public async Task The_request_names_the_path_host_key_and_version_and_offers_only_what_was_asked()
    {
        var heads = new List<string>();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync(Faults.Bound);
            lock (heads)
                heads.Add(c.RequestHead);
            bool chat = c.Header("Sec-WebSocket-Protocol") is not null;
            await c.AcceptAsync(chat ? ["Sec-WebSocket-Protocol: chat"] : []);
            await Faults.AnswerCloseAsync(c);
        });
        await using (var offering = await WebSocketClient.ConnectAsync(server.Url("/chat?room=1"), Faults.Options(protocols: ["chat", "json"])).Within(Faults.Bound, "ConnectAsync offering chat and json"))
        {
            Check.Equal(offering.Protocol, "chat", $"{Step}: Protocol after the server chose chat", Read);
            await offering.CloseAsync().Within(Faults.Bound, "CloseAsync");
        }
        await using (var plain = await WebSocketClient.ConnectAsync(server.Url("/"), Faults.Options()).Within(Faults.Bound, "ConnectAsync offering nothing"))
            await plain.CloseAsync().Within(Faults.Bound, "CloseAsync");
        await Faults.ScriptsDoneAsync(server, null, Step, Read, connections: 2);

        string Field(string head, string name) => head.Split("\r\n").Skip(1).Select(l => l.Split(':', 2))
            .Where(p => p.Length == 2 && p[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).SingleOrDefault() ?? "(none)";
        bool HasToken(string value, string token) => value.Split(',').Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));
        var (first, second) = (heads[0], heads[1]);
        string Shown(string head) => Visible.Quoted(head);
        string host = $"127.0.0.1:{server.EndPoint.Port}";
        Check.Equal(first.Split("\r\n")[0], "GET /chat?room=1 HTTP/1.1", $"{Step}: the request line for {server.Url("/chat?room=1")} (the request: {Shown(first)})", "RFC 6455 §4.1 items 1-2: the path and the query.");
        Check.Equal(Field(first, "Host"), host, $"{Step}: the Host field (the request: {Shown(first)})", "RFC 6455 §4.1 item 4.");
        Check.True(HasToken(Field(first, "Upgrade"), "websocket"), $"{Step}: the request needs Upgrade: websocket: {Shown(first)}", "RFC 6455 §4.1 item 5.");
        Check.True(HasToken(Field(first, "Connection"), "Upgrade"), $"{Step}: the request needs Connection: Upgrade: {Shown(first)}", "RFC 6455 §4.1 item 6.");
        Check.Equal(Field(first, "Sec-WebSocket-Version"), "13", $"{Step}: Sec-WebSocket-Version (the request: {Shown(first)})", "RFC 6455 §4.1 item 9.");
        Check.Equal(string.Join("|", Field(first, "Sec-WebSocket-Protocol").Split(',').Select(p => p.Trim())), "chat|json", $"{Step}: the subprotocols offered, in order (the request: {Shown(first)})", "RFC 6455 §4.1 item 10.");
        Check.Equal(Field(second, "Sec-WebSocket-Protocol"), "(none)", $"{Step}: Sec-WebSocket-Protocol when no subprotocol is offered (the request: {Shown(second)})", "RFC 6455 §4.1 item 10: only when there are some.");
        foreach (var head in heads)
            Check.Equal(Field(head, "Sec-WebSocket-Extensions"), "(none)", $"{Step}: Sec-WebSocket-Extensions (this client offers none; the request: {Shown(head)})", "Notebook 07 §6: no extension is offered, so the server may accept none.");
        var keys = heads.Select(h => Field(h, "Sec-WebSocket-Key")).ToList();
        foreach (var key in keys)
        {
            byte[]? nonce = null;
            try
            {
                nonce = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
            }
            Check.True(nonce is { Length: 16 }, $"{Step}: Sec-WebSocket-Key {Visible.Quoted(key)} should be base64 of 16 bytes", "RFC 6455 §4.1 item 7.");
        }
        Check.True(keys[0] != keys[1], $"{Step}: two connections sent the same Sec-WebSocket-Key {keys[0]}", "RFC 6455 §4.1 item 7: \"randomly selected ... for each connection\".");
    }
}
