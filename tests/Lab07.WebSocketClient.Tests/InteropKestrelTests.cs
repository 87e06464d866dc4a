using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The client against ASP.NET Core's Kestrel and .NET's own WebSocket (the
/// server side of ManagedWebSocket), in this process (notebook 07 §9): a
/// streaming echo at every length form and 16 MiB, messages Kestrel sends
/// (received through the browser's events), fragments, Kestrel's keepalive
/// pings (.NET 9+ aborts a client that does not answer them), and closes
/// started by either side. The endpoints are written in <see cref="KestrelPeer"/>.
/// </summary>
public sealed class InteropKestrelTests(KestrelPeer kestrel) : IClassFixture<KestrelPeer>
{
    private const string Read = "Lab 07 · steps 4-7 (WebSocketClient: RunAsync, Send, Close, ReceiveAsync) against Kestrel. Notebook 07 §9; RFC 6455 §5.2 (lengths), §5.4 (fragments), §5.5.2-§5.5.3 (ping, pong), §7 (closing).";

    [Fact, Graded(2, Hint = Read)]
    public async Task Kestrel_echoes_text_and_binary_at_every_length_form()
    {
        // Kestrel's /echo streams: each piece ReceiveAsync gives goes back as a frame (EndOfMessage as it came), so long messages come back fragmented.
        var url = kestrel.Url("/echo", out var tag);
        await using var client = await Interop.ConnectAsync(url, kestrel.Context, Read);
        foreach (var type in new[] { MessageType.Text, MessageType.Binary })
            foreach (int size in Interop.Sizes)
                await Interop.EchoAsync(client, Interop.Payload(type, size), kestrel.Context, Read);
        var close = await Interop.CloseAsync(client, 1000, "", kestrel.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "step 6: the close event after CloseAsync(1000)", $"{Read}\n{kestrel.Context()}");
        var saw = await kestrel.SawAsync(tag, "the end of /echo");
        Check.Equal((saw.CloseStatus, saw.Error), ((WebSocketCloseStatus?)WebSocketCloseStatus.NormalClosure, (string?)null), "the close Kestrel received, and its error if any", $"{Read}\n{kestrel.Context()}");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Kestrel_echoes_16_MiB_of_text_and_of_binary()
    {
        var url = kestrel.Url("/echo", out _);
        await using var client = await Interop.ConnectAsync(url, kestrel.Context, Read);
        foreach (var type in new[] { MessageType.Text, MessageType.Binary })
            await Interop.EchoAsync(client, Interop.Large(type), kestrel.Context,
                Read + " The echo comes back in up to 64 KiB frames: at least 256 fragments, within the client's 65,536.", Interop.LargeBound);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Messages_Kestrel_sends_at_every_length_form_come_as_OnMessage_events()
    {
        // The browser's way: new, handlers, Connect. Kestrel sends text then binary messages of each size, as soon as the connection opens.
        var url = kestrel.Url($"/send?sizes={string.Join(',', Interop.Sizes)}", out var tag);
        await using var events = new InteropEvents(url);
        events.Client.Connect();
        await events.OpenedAsync(kestrel.Context, Read);
        var expected = new[] { MessageType.Text, MessageType.Binary }.SelectMany(type => Interop.Sizes.Select(size => Interop.Payload(type, size))).ToArray();
        var got = await events.MessagesAsync(expected.Length, kestrel.Context, Read);
        for (int i = 0; i < expected.Length; i++)
        {
            Interop.SameMessage(got[i].Message, expected[i], $"OnMessage {i + 1}, Kestrel's {Interop.Describe(expected[i])}", Read);
            var data = got[i].Data;
            Check.True(expected[i].Type == MessageType.Text ? data is string : data is byte[],
                $"step 7: MessageEvent.Data of {Interop.Describe(expected[i])} is a {data.GetType().Name}", "Notebook 07 §1: event.data is a string for text and an ArrayBuffer (byte[]) for binary.");
        }
        events.Client.Close(1000);
        var close = await events.ClosedAsync(kestrel.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "step 6: the close event after Close(1000)", $"{Read}\n{events.Describe()}\n{kestrel.Context()}");
        var saw = await kestrel.SawAsync(tag, "the end of /send");
        Check.Equal(saw.Error, null, "the error Kestrel's /send ended with", $"{Read}\n{kestrel.Context()}");
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Messages_Kestrel_sends_in_fragments_arrive_whole()
    {
        // /fragments?size=5: each message comes back in frames of 5 bytes, the text cut inside its characters.
        var url = kestrel.Url("/fragments?size=5", out _);
        await using var client = await Interop.ConnectAsync(url, kestrel.Context, Read);
        var messages = new[] { Message.FromText(Interop.Text(200)), Message.FromBinary(Interop.Bytes(5000, seed: 5)), Message.FromText("") };
        foreach (var message in messages)
            await client.SendAsync(message).Within(Loopback.DefaultBound, $"SendAsync of {Interop.Describe(message)}", kestrel.Context);
        var got = new List<Message>();
        await Bounded.RunAsync(Loopback.DefaultBound, "the three fragmented messages through await foreach", async ct =>
        {
            await foreach (var message in client.ReceiveAllAsync(ct))
            {
                got.Add(message);
                if (got.Count == messages.Length)
                    break;
            }
        }, kestrel.Context);
        Check.Equal(got.Count, messages.Length, "step 7: messages from await foreach before the connection ended", $"{Read}\n{kestrel.Context()}");
        for (int i = 0; i < messages.Length; i++)
            Interop.SameMessage(got[i], messages[i], $"{Interop.Describe(messages[i])} sent back in 5-byte fragments",
                Read + " The pump joins the fragments (Lab 05's assembler); a text fragment may end inside a character, only the whole message must be UTF-8 (§5.6, §8.1).");
        await Interop.CloseAsync(client, 1000, "", kestrel.Context);
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Kestrel_keepalive_pings_are_answered_so_it_keeps_the_connection()
    {
        // Kestrel pings every 100 ms and aborts the connection when a pong is 1.5 s late (WebSocketAcceptContext.KeepAliveTimeout,
        // .NET 9+); after 2.5 s it reports that the connection is still open. The next test, with no client, shows the abort.
        var url = kestrel.Url("/ping?interval=100&timeout=1500&hold=2500", out var tag);
        await using var client = await Interop.ConnectAsync(url, kestrel.Context, Read);
        var report = await Interop.ReceiveAsync(client, "Kestrel's report after 2.5 s of pings", kestrel.Context,
            Read + " The pump answers each ping with a pong carrying the same payload (§5.5.2), which .NET's keepalive waits for.", TimeSpan.FromSeconds(8));
        Check.True(report.Type == MessageType.Text && report.Text.StartsWith("open after 2500 ms", StringComparison.Ordinal),
            $"step 4: Kestrel's report after its pings: {report}", Read);
        var close = await Interop.CloseAsync(client, 1000, "", kestrel.Context);
        Check.Equal(close, new CloseEvent(1000, "", true), "step 6: the close event after 2.5 s of pings and CloseAsync(1000)", $"{Read}\n{kestrel.Context()}");
        var saw = await kestrel.SawAsync(tag, "the end of /ping");
        Check.Equal((saw.CloseStatus, saw.Error), ((WebSocketCloseStatus?)WebSocketCloseStatus.NormalClosure, (string?)null), "how Kestrel's /ping ended (the close it received, its error)", $"{Read}\n{kestrel.Context()}");
    }

    [Fact]
    public async Task Kestrel_drops_a_connection_that_does_not_answer_its_pings()
    {
        // The control of the test above, with no client under test: a handshake by hand, then silence.
        var url = new Uri(kestrel.Url("/ping?interval=100&timeout=1500&hold=2500", out var tag));
        await using var wire = await HttpWire.ConnectAsync(new IPEndPoint(IPAddress.Loopback, url.Port));
        var response = await wire.ExchangeAsync(
            $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", "Kestrel's 101");
        Check.Equal(response.Status, 101, "Kestrel's answer to a handshake written by hand", response.ToString());
        await wire.Socket.WaitForCloseAsync(TimeSpan.FromSeconds(5), "Kestrel to drop a connection whose pings get no pong", kestrel.Context, maxBytes: 1 << 16);
        var saw = await kestrel.SawAsync(tag, "the end of /ping");
        Check.True(saw.Error is not null, $"Kestrel's /ping ended without an error: {saw}", "With KeepAliveTimeout set, .NET aborts a connection whose pong is late.");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_started_by_Kestrel_reaches_OnClose_with_its_code_and_reason()
    {
        var url = kestrel.Url("/close?code=4000&reason=kestrel%20says%20bye", out var tag);
        await using var events = new InteropEvents(url);
        events.Client.Connect();
        var close = await events.ClosedAsync(kestrel.Context);
        Check.Equal(close, new CloseEvent(4000, "kestrel says bye", true), "steps 3 and 4: the close event after Kestrel closed with 4000",
            $"{Read} The close event carries the code and reason of the close frame received (§7.1.5-§7.1.6); clean once the server closed TCP after the handshake (§7.1.4).\n{events.Describe()}\n{kestrel.Context()}");
        Check.Equal(string.Join(", then ", events.Timeline), "open, then close 4000 \"kestrel says bye\" clean", "step 4: the client's events, in order", $"{Read} No error event for a clean close.");
        var saw = await kestrel.SawAsync(tag, "the end of /close");
        Check.Equal(((int?)saw.CloseStatus, saw.CloseStatusDescription, saw.Error), ((int?)4000, (string?)"", (string?)null),
            "the client's answering close (code, reason), as Kestrel's CloseAsync received it, and its error if any",
            $"{Read} §5.5.1: the endpoint answering a close \"typically echos the status code it received\"; Lab 06's pump echoes the code alone.\n{kestrel.Context()}");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task A_close_started_by_the_client_is_answered_by_Kestrel()
    {
        var url = kestrel.Url("/echo", out var tag);
        await using var client = await Interop.ConnectAsync(url, kestrel.Context, Read);
        var close = await Interop.CloseAsync(client, 4001, "bye", kestrel.Context);
        // Kestrel's /echo answers with the code and the reason it received (CloseOutputAsync).
        Check.Equal(close, new CloseEvent(4001, "bye", true), "step 6: the close event after CloseAsync(4001, \"bye\")", $"{Read}\n{kestrel.Context()}");
        var saw = await kestrel.SawAsync(tag, "the end of /echo");
        Check.Equal(((int?)saw.CloseStatus, saw.CloseStatusDescription, saw.Error), ((int?)4001, (string?)"bye", (string?)null), "the close Kestrel received (code, reason), and its error if any", $"{Read}\n{kestrel.Context()}");
    }
}

/// <summary>How a connection ended on Kestrel's side: the close it received (code and reason), its state, and the error it ended with, if any.</summary>
public sealed record KestrelSaw(string Path, WebSocketCloseStatus? CloseStatus, string? CloseStatusDescription, WebSocketState State, string? Error);

/// <summary>
/// A Kestrel server on 127.0.0.1:0 with WebSocket endpoints written for the
/// tests, shared by the tests of a class. Each connection carries a tag
/// (<c>?tag=t7</c>) under which the endpoint records how it ended.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>/echo</c>: every piece received goes back at once with its type and EndOfMessage (a streaming echo); a close is answered with its code and reason.</item>
/// <item><c>/send?sizes=0,125</c>: a text message of each size, then a binary one of each size (<see cref="Interop.Payload"/>), then /echo.</item>
/// <item><c>/fragments?size=K</c>: each whole message back in frames of K bytes (SendAsync with endOfMessage false).</item>
/// <item><c>/ping?interval=ms&amp;timeout=ms&amp;hold=ms</c>: Kestrel's keepalive pings (WebSocketAcceptContext.KeepAliveInterval and KeepAliveTimeout); after hold, "open after ..." if the connection is still open; /echo meanwhile.</item>
/// <item><c>/close?code=C&amp;reason=R</c>: CloseAsync(C, R) at once, which waits for the client's answer.</item>
/// </list>
/// </remarks>
public sealed class KestrelPeer : IAsyncLifetime
{
    /// <summary>No endpoint runs longer than this (a client under test that hangs must not hold the server).</summary>
    private static readonly TimeSpan EndpointLimit = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<KestrelSaw>> seen = new();
    private WebApplication? app;
    private int tags;

    /// <summary>One line per connection: its tag, path and end.</summary>
    public LineLog Log { get; } = new("Kestrel's endpoints");

    /// <summary>Where Kestrel listens.</summary>
    public int Port { get; private set; }

    /// <summary><c>ws://127.0.0.1:PORT/path?...&amp;tag=tN</c>, with a new tag.</summary>
    public string Url(string pathAndQuery, out string tag)
    {
        tag = $"t{Interlocked.Increment(ref tags)}";
        return $"ws://127.0.0.1:{Port}{pathAndQuery}{(pathAndQuery.Contains('?', StringComparison.Ordinal) ? '&' : '?')}tag={tag}";
    }

    /// <summary>How the connection with <paramref name="tag"/> ended on Kestrel's side (bounded wait).</summary>
    public Task<KestrelSaw> SawAsync(string tag, string what) =>
        Saw(tag).Task.Within(Loopback.DefaultBound, $"Kestrel's side of the connection {tag} to end ({what})", Context);

    /// <summary>Kestrel's log, for failure messages.</summary>
    public string Context() => Log.Describe();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        app = builder.Build();
        // The default keepalive (an unsolicited pong every 2 minutes) never fires within a test; /ping sets its own.
        app.UseWebSockets();
        app.Run(HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
    }

    public async Task DisposeAsync()
    {
        if (app is null)
            return;
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await app.StopAsync(patience.Token);
        await app.DisposeAsync();
    }

    private TaskCompletionSource<KestrelSaw> Saw(string tag) =>
        seen.GetOrAdd(tag, _ => new TaskCompletionSource<KestrelSaw>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            return;
        }
        var query = context.Request.Query;
        string path = context.Request.Path.Value ?? "";
        string tag = query["tag"].ToString();
        int Number(string name) => int.Parse(query[name].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var accept = new WebSocketAcceptContext();
        if (path == "/ping")
        {
            accept.KeepAliveInterval = TimeSpan.FromMilliseconds(Number("interval"));
            accept.KeepAliveTimeout = TimeSpan.FromMilliseconds(Number("timeout"));
        }
        using var ws = await context.WebSockets.AcceptWebSocketAsync(accept);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        limit.CancelAfter(EndpointLimit);
        var ct = limit.Token;
        string? error = null;
        try
        {
            switch (path)
            {
                case "/echo":
                    await EchoAsync(ws, ct);
                    break;
                case "/send":
                    foreach (var type in new[] { MessageType.Text, MessageType.Binary })
                        foreach (var size in query["sizes"].ToString().Split(','))
                        {
                            var message = Interop.Payload(type, int.Parse(size, System.Globalization.CultureInfo.InvariantCulture));
                            await ws.SendAsync(message.Data, Kind(type), true, ct);
                        }
                    await EchoAsync(ws, ct);
                    break;
                case "/fragments":
                    await FragmentsAsync(ws, Number("size"), ct);
                    break;
                case "/ping":
                    // A read stays pending throughout: it is what takes in the pongs.
                    var reading = EchoAsync(ws, ct);
                    var hold = TimeSpan.FromMilliseconds(Number("hold"));
                    await Task.WhenAny(reading, Task.Delay(hold, ct));
                    if (!reading.IsCompleted && ws.State == WebSocketState.Open)
                        await ws.SendAsync(Encoding.UTF8.GetBytes($"open after {hold.TotalMilliseconds:0} ms of pings every {Number("interval")} ms"), WebSocketMessageType.Text, true, ct);
                    await reading;
                    break;
                case "/close":
                    await ws.CloseAsync((WebSocketCloseStatus)Number("code"), query["reason"].ToString(), ct);
                    break;
                default:
                    await ws.CloseAsync((WebSocketCloseStatus)4404, "no such path", ct);
                    break;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }
        var saw = new KestrelSaw(path, ws.CloseStatus, ws.CloseStatusDescription, ws.State, error);
        Log.Add($"{tag} {path}: {saw}");
        Saw(tag).TrySetResult(saw);
    }

    private static WebSocketMessageType Kind(MessageType type) => type == MessageType.Text ? WebSocketMessageType.Text : WebSocketMessageType.Binary;

    /// <summary>A streaming echo until the client's close, which is answered with its code and reason.</summary>
    private static async Task EchoAsync(WebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var piece = await ws.ReceiveAsync(buffer, ct);
            if (piece.MessageType == WebSocketMessageType.Close)
            {
                await ws.CloseOutputAsync(ws.CloseStatus ?? WebSocketCloseStatus.Empty, ws.CloseStatusDescription, ct);
                return;
            }
            await ws.SendAsync(buffer.AsMemory(0, piece.Count), piece.MessageType, piece.EndOfMessage, ct);
        }
    }

    /// <summary>Each whole message back in frames of <paramref name="size"/> bytes; the client's close answered.</summary>
    private static async Task FragmentsAsync(WebSocket ws, int size, CancellationToken ct)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var message = new MemoryStream();
            WebSocketReceiveResult piece;
            do
            {
                piece = await ws.ReceiveAsync(buffer, ct);
                if (piece.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseOutputAsync(ws.CloseStatus ?? WebSocketCloseStatus.Empty, ws.CloseStatusDescription, ct);
                    return;
                }
                message.Write(buffer, 0, piece.Count);
            } while (!piece.EndOfMessage);
            var data = message.ToArray();
            int at = 0;
            do
            {
                int length = Math.Min(size, data.Length - at);
                await ws.SendAsync(data.AsMemory(at, length), piece.MessageType, at + length == data.Length, ct);
                at += length;
            } while (at < data.Length);
        }
    }
}
