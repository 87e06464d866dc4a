using System.Text;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// What the fault and protocol tests share: small timeouts, a recorder of
/// the browser-shaped events, frames as bytes, and the one check that a
/// client failed the connection as RFC 6455 §7.1.7 says (its close frame
/// with the right code, its own FIN at once, then error and close 1006).
/// Servers are <see cref="ScriptedServer"/>s: they send what no real server
/// would, and read the client's bytes with the course's own decoder.
/// </summary>
internal static class Faults
{
    /// <summary>A wait for something loopback does in milliseconds: generous, for a loaded CI machine.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>How long a client may take to close TCP after its close frame when it failed the connection (it should do it at once).</summary>
    public static readonly TimeSpan FinBound = TimeSpan.FromSeconds(2);

    /// <summary>The close timeout of most tests (a real client's is 5 s or more).</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(1.5);

    /// <summary>The connect timeout of most tests.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);

    public const string ReadHandshake = "Notebook 07 §2-§3 and §6; RFC 6455 §4.1 (the client's checks of the response) and §4.1's \"_Fail the WebSocket Connection_\"; WHATWG WebSockets (\"fail the WebSocket connection\": error, then close 1006)";
    public const string ReadFailing = "Notebook 07 §6; RFC 6455 §7.1.7 (fail the connection: send a close frame with the code, then close TCP) and §7.1.5 (the application sees 1006)";
    public const string ReadClosing = "Notebook 07 §4; RFC 6455 §7.1.1-§7.1.6 (the closing handshake, who closes TCP, the close code reported, wasClean)";
    public const string ReadFrames = "Notebook 07 §6; RFC 6455 §5.2 (minimal length), §5.3 (client-to-server masking), §5.5.2-§5.5.3 (ping and pong)";

    /// <summary>
    /// Small timeouts, and on request smaller limits or subprotocol offers:
    /// everything else is a client's default (<see cref="WebSocketClientOptions.ClientDefaults"/>).
    /// </summary>
    public static WebSocketClientOptions Options(TimeSpan? closeTimeout = null, TimeSpan? connectTimeout = null,
        int? maxMessageLength = null, int? maxFragments = null, string[]? protocols = null)
    {
        var limits = WebSocketClientOptions.ClientDefaults.Limits;
        return new WebSocketClientOptions
        {
            Protocols = protocols ?? [],
            ConnectTimeout = connectTimeout ?? ConnectTimeout,
            Connection = WebSocketClientOptions.ClientDefaults with
            {
                CloseTimeout = closeTimeout ?? CloseTimeout,
                Limits = new FrameLimits
                {
                    MaxMessageLength = maxMessageLength ?? limits.MaxMessageLength,
                    MaxFragments = maxFragments ?? limits.MaxFragments,
                },
            },
        };
    }

    /// <summary>A server frame (unmasked, as a server must send it unless a test says otherwise).</summary>
    public static byte[] Frame(int first, ReadOnlySpan<byte> payload) => WireFrames.Frame(first, payload, null);

    /// <summary>A server frame with a UTF-8 payload.</summary>
    public static byte[] Frame(int first, string payload) => Frame(first, Encoding.UTF8.GetBytes(payload));

    /// <summary>Frames glued into one write, as they may arrive in one TCP segment.</summary>
    public static byte[] Glue(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>A close frame's payload: the code, big-endian, then the reason's bytes.</summary>
    public static byte[] ClosePayload(int code, params byte[] reason) => [(byte)(code >> 8), (byte)code, .. reason];

    /// <summary>A new client, the four events recorded, then Connect: the browser's shape.</summary>
    public static (WebSocketClient Client, Recorder Events) StartClient(string url, WebSocketClientOptions options, Action<WebSocketClient>? onOpen = null)
    {
        var client = new WebSocketClient(url, options);
        var events = Recorder.Attach(client, onOpen);
        client.Connect();
        return (client, events);
    }

    /// <summary>
    /// Waits for <paramref name="connections"/> to the scripted server and their scripts; when one failed (a frame that
    /// never came, a timeout), its message goes out with the client's events so far.
    /// </summary>
    public static async Task ScriptsDoneAsync(ScriptedServer server, Recorder? events, string step, string read, TimeSpan? bound = null, int connections = 1)
    {
        var scripts = server.ScriptsFinishedAsync(bound ?? Bound + Bound, connections);
        if (events is not null && await Task.WhenAny(scripts, events.Closed) == events.Closed && events.Closed.IsFaulted)
            await events.Closed; // the client itself broke (a step not written yet): say that, at once
        try
        {
            await scripts;
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidDataException)
        {
            Check.Fail($"{step}: {e.Message}", $"{read}.{(events is null ? "" : $"\nThe client's events: {events.Story()}.")}");
        }
    }

    /// <summary>
    /// The end of a polite script: reads the client's close frame, answers
    /// with the same payload, closes the server's side of TCP (the server
    /// closes first, §7.1.1) and waits for the client's FIN.
    /// </summary>
    public static async Task AnswerCloseAsync(ScriptedConnection c, string what = "the client's close frame")
    {
        var close = await c.ReadFrameAsync(what, Bound);
        Check.Equal(close.Opcode, 0x8, $"the opcode of {what} (got {close})", c.SeenSoFar());
        await c.SendFrameAsync(0x88, close.Payload);
        c.CloseOutput();
        await c.WaitForCloseAsync(Bound);
    }

    /// <summary>
    /// Runs <paramref name="misbehave"/> after a good handshake, and checks
    /// that the client failed the connection as RFC 6455 §7.1.7 says: a
    /// masked close frame (FIN, opcode 8) with <paramref name="code"/>, then
    /// its own FIN at once, without waiting for the server's; and that the
    /// application saw open, (messages,) error, then close 1006 "" not clean,
    /// with ReadyState CLOSED at both. Returns the events for more checks.
    /// </summary>
    public static async Task<Recorder> ExpectFailureAsync(string what, int code, Func<ScriptedConnection, Task> misbehave,
        string step, string read, WebSocketClientOptions? options = null)
    {
        ClientFrame? close = null;
        PeerClose? end = null;
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            await misbehave(c);
            close = await c.ReadFrameAsync($"the client's close frame after {what} (the client must fail the connection with {code})", Bound);
            end = await c.WaitForCloseAsync(FinBound);
        });
        // CloseTimeout well above FinBound: a client that waits for the close timeout instead of closing TCP at once is seen.
        var (client, events) = StartClient(server.Url("/"), options ?? Options(closeTimeout: TimeSpan.FromSeconds(4)));
        await using (client)
        {
            await ScriptsDoneAsync(server, events, step, read);
            string Story() => $"The server sent {what}. The client's frame: {(close is null ? "none" : close.ToString())}. The client's events: {events.Story()}.";
            string story = Story();
            Check.True(close is not null, $"{step}: no close frame came from the client after {what}", $"{read}.\n{story}");
            Check.True(close.Opcode == 0x8 && close.Fin && close.Rsv == 0, $"{step}: after {what} the client's frame should be a close frame (FIN, opcode 8), got {close}", $"{read}.\n{story}");
            Check.True(close.Masked, $"{step}: the client's close frame is not masked", $"RFC 6455 §5.3: every frame a client sends is masked.\n{story}");
            Check.Equal(close.CloseCode, (int?)code, $"{step}: the code of the client's close frame after {what}", $"{read}.\n{story}");
            Check.Equal(end, (PeerClose?)PeerClose.Fin, $"{step}: how the client ended TCP within {Durations.Describe(FinBound)} of its close frame (null: it kept TCP open)",
                $"RFC 6455 §7.1.7: an endpoint that fails the connection closes TCP itself, at once (Lab 06's pump shuts down its sending side), rather than waiting for the server.\n{story}");
            var closed = await events.Closed.Within(Bound, $"the client's close event after {what}", events.Story);
            ExpectFailedEvents(events, closed, step, $"{read}.\n{Story()}");
        }
        return events;
    }

    /// <summary>open, then (messages), then error, then close 1006 "" not clean, last; ReadyState CLOSED when error and close fire.</summary>
    public static void ExpectFailedEvents(Recorder events, CloseEvent closed, string step, string why)
    {
        Check.Equal(closed, new CloseEvent(1006, "", false), $"{step}: the close event", $"The client received no close frame, so the code is 1006 and the reason \"\" (RFC 6455 §7.1.5-§7.1.6), and the close was not clean. {why}");
        Check.True(events.Error is not null, $"{step}: no error event came before the close event ({events.Story()})", $"WHATWG WebSockets: a connection that failed fires error, then close. {why}");
        var kinds = events.Kinds;
        Check.True(kinds.Count >= 3 && kinds[0] == "open" && kinds[^2] == "error" && kinds[^1] == "close" && kinds.Count(k => k is "open" or "error" or "close") == 3,
            $"{step}: the events should be open, (messages), error, close; they were {events.Story()}", why);
        Check.Equal(events.StateAtError, (ConnectionState?)ConnectionState.Closed, $"{step}: ReadyState when the error event fired", $"WHATWG WebSockets: readyState is CLOSED before error and close fire (notebook 07 §3). {why}");
        Check.Equal(events.StateAtClose, (ConnectionState?)ConnectionState.Closed, $"{step}: ReadyState when the close event fired", $"Notebook 07 §3. {why}");
    }

    /// <summary>The four events of one client, in order, with the ReadyState seen when each fired.</summary>
    public sealed class Recorder
    {
        private readonly object gate = new();
        private readonly List<(string Kind, string Text)> story = [];
        private readonly List<MessageEvent> messages = [];
        private readonly TaskCompletionSource<CloseEvent> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static Recorder Attach(WebSocketClient client, Action<WebSocketClient>? onOpen = null)
        {
            var r = new Recorder();
            client.OnOpen += () =>
            {
                r.Add("open", $"open (ReadyState {client.ReadyState})");
                try
                {
                    onOpen?.Invoke(client);
                }
                catch (Exception e)
                {
                    // The client only logs a handler's exception; the test must not wait for what it did not do.
                    r.closed.TrySetException(e);
                    throw;
                }
            };
            client.OnMessage += m =>
            {
                lock (r.gate)
                    r.messages.Add(m);
                r.Add("message", $"message {m}");
            };
            client.OnError += e =>
            {
                r.Error = e;
                r.StateAtError = client.ReadyState;
                r.Add("error", $"error \"{e.Message}\"");
            };
            client.OnClose += c =>
            {
                r.StateAtClose = client.ReadyState;
                r.Add("close", $"close {c.Code} \"{c.Reason}\" wasClean={c.WasClean}");
                r.closed.TrySetResult(c);
            };
            // A client whose RunAsync throws (a step not written yet) raises no event: its Completion
            // fails instead, and so does a wait for the close event, at once and with that exception.
            client.Completion.ContinueWith(t => r.closed.TrySetException(t.Exception!.InnerExceptions),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return r;
        }

        /// <summary>Completes with the close event.</summary>
        public Task<CloseEvent> Closed => closed.Task;

        public ErrorEvent? Error { get; private set; }

        public ConnectionState? StateAtError { get; private set; }

        public ConnectionState? StateAtClose { get; private set; }

        public IReadOnlyList<MessageEvent> Messages
        {
            get
            {
                lock (gate)
                    return [.. messages];
            }
        }

        /// <summary>"open", "message", "error", "close", in the order they fired.</summary>
        public IReadOnlyList<string> Kinds
        {
            get
            {
                lock (gate)
                    return [.. story.Select(s => s.Kind)];
            }
        }

        /// <summary>The events as a line for failure messages: open → message ... → error "..." → close 1006 ...</summary>
        public string Story()
        {
            lock (gate)
                return story.Count == 0 ? "none" : string.Join(" → ", story.Select(s => s.Text));
        }

        private void Add(string kind, string text)
        {
            lock (gate)
                story.Add((kind, text.Length > 300 ? text[..300] + "..." : text));
        }
    }
}
