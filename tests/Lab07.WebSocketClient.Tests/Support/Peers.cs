using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// A program that runs one of the outside servers of notebook 07 §9
/// (python-websockets, Node's ws) from a script in peers/: where it is, how
/// to check that it works here, and how to install it.
/// </summary>
public sealed class PeerTool
{
    private readonly string[] probe;
    private readonly Lazy<string?> whyUnavailable;

    private PeerTool(string name, string program, string script, string install, string[] probe, Dictionary<string, string> environment)
    {
        Name = name;
        Program = program;
        Script = Path.Combine(AppContext.BaseDirectory, "peers", script);
        Install = install;
        this.probe = probe;
        Environment = environment;
        whyUnavailable = new Lazy<string?>(Probe);
    }

    /// <summary>Debian's python3-websockets (10.4), run by the system Python, not a pyenv one first on PATH.</summary>
    public static PeerTool Python { get; } = new("python-websockets", "/usr/bin/python3", "python_server.py", "apt install python3-websockets",
        ["-c", "import websockets"], new() { ["PYTHONDONTWRITEBYTECODE"] = "1" });

    /// <summary>Debian's node-ws (8.11), found through NODE_PATH.</summary>
    public static PeerTool Node { get; } = new("Node's ws", "/usr/bin/node", "node_server.js", "apt install node-ws",
        ["-e", "require('ws')"], new() { ["NODE_PATH"] = "/usr/share/nodejs" });

    /// <summary>"python-websockets", "Node's ws".</summary>
    public string Name { get; }

    /// <summary>The interpreter.</summary>
    public string Program { get; }

    /// <summary>The server script, copied next to the test assembly (peers/).</summary>
    public string Script { get; }

    /// <summary>The package that brings it: "apt install python3-websockets".</summary>
    public string Install { get; }

    /// <summary>Variables the program needs.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The command that starts the server by hand.</summary>
    public string CommandLine =>
        string.Concat(Environment.Select(e => $"{e.Key}={e.Value} ")) + $"{Program} {Script}";

    /// <summary>
    /// Skips the test (with how to install the tool) when it cannot run
    /// here; with CI=true a skip would hide an untested interop, so the test
    /// fails instead.
    /// </summary>
    public void SkipUnlessAvailable()
    {
        if (whyUnavailable.Value is not { } why)
            return;
        if (string.Equals(System.Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"CI=true, so this interop test must run, not skip, and it cannot: {why} (The CI image needs: {Install}.)");
        Skip.If(true, $"{Name} is not available: {why} To run this test: sudo {Install}");
    }

    /// <summary>Starts the server and waits (bounded) for the port it prints.</summary>
    public Task<PeerProcess> StartAsync() => PeerProcess.StartAsync(this);

    internal ProcessStartInfo StartInfo(params string[] arguments)
    {
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardInput = true, // the peer exits when this pipe ends: if the test host dies, so do its peers
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment)
            start.Environment[name] = value;
        return start;
    }

    private string? Probe()
    {
        if (!File.Exists(Program))
            return $"{Program} does not exist.";
        if (!File.Exists(Script))
            return $"{Script} is missing (the test project copies peers/ next to the test assembly).";
        try
        {
            using var process = Process.Start(StartInfo(probe)) ?? throw new InvalidOperationException($"{Program} did not start.");
            process.StandardInput.Close();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(10_000))
            {
                process.Kill();
                return $"{Program} {string.Join(' ', probe)} did not finish within 10 s.";
            }
            return process.ExitCode == 0 ? null : $"{Program} {string.Join(' ', probe)} failed: {error.Result.Trim()}";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Program} did not run: {e.Message}";
        }
    }
}

/// <summary>
/// One running outside server: started from its script, its port read from
/// the first line it prints (bounded), every later line kept as an event
/// (one JSON object a line: what the server saw), standard error kept for
/// failure messages, and killed by its process id on dispose.
/// </summary>
public sealed class PeerProcess : IAsyncDisposable
{
    /// <summary>The longest a peer may take to print its port (an interpreter starting on a loaded machine).</summary>
    public static readonly TimeSpan Startup = TimeSpan.FromSeconds(10);

    /// <summary>How long the peer lives at most if nobody kills it (its own timer).</summary>
    private const int LifetimeSeconds = 60;

    private readonly Process process;

    private PeerProcess(PeerTool tool, Process process, int port)
    {
        Tool = tool;
        this.process = process;
        Port = port;
    }

    public PeerTool Tool { get; }

    /// <summary>The port it listens on, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The process id.</summary>
    public int Id => process.Id;

    /// <summary>Standard output after the port line: one JSON event a line.</summary>
    public LineLog Events { get; private init; } = new();

    /// <summary>Standard error.</summary>
    public LineLog Errors { get; private init; } = new();

    /// <summary><c>ws://127.0.0.1:PORT/path?query</c>.</summary>
    public string Url(string pathAndQuery) => $"ws://127.0.0.1:{Port}{pathAndQuery}";

    /// <summary>What the peer printed, and how to run it by hand, for failure messages.</summary>
    public string Context() =>
        $"{Events.Describe()}\n{Errors.Describe()}\nThe server was {Tool.Name} (pid {Id}, port {Port}); run it by hand: {Tool.CommandLine}";

    /// <summary>
    /// Waits (bounded) for the server's event <paramref name="name"/> on
    /// <paramref name="path"/>, such as <c>{"path": "/echo", "event": "closed", ...}</c>,
    /// and returns it: the first such event, or the <paramref name="occurrence"/>-th.
    /// </summary>
    public async Task<JsonElement> EventAsync(string path, string name, string what, int occurrence = 1, TimeSpan? bound = null)
    {
        int seen = 0; // the log offers each line once, in order
        var line = await Events.WaitForAsync(l => IsEvent(l, path, name) && ++seen == occurrence, bound ?? Loopback.DefaultBound,
            $"{Tool.Name} to report {what} (event \"{name}\" number {occurrence} on {path})");
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static bool IsEvent(string line, string path, string name)
    {
        try
        {
            var e = JsonDocument.Parse(line).RootElement;
            return e.GetProperty("path").GetString() == path && e.GetProperty("event").GetString() == name;
        }
        catch (Exception x) when (x is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    internal static async Task<PeerProcess> StartAsync(PeerTool tool)
    {
        var process = Process.Start(tool.StartInfo(tool.Script, LifetimeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            ?? throw new InvalidOperationException($"Could not start {tool.CommandLine}.");
        var events = new LineLog($"{tool.Name}'s events (stdout)");
        var errors = new LineLog($"{tool.Name}'s stderr");
        var portLine = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                portLine.TrySetResult(null); // stdout ended before any line: the process is gone
            else if (!portLine.TrySetResult(e.Data))
                events.Add(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                errors.Add(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        string? line = null;
        try
        {
            line = await portLine.Task.Within(Startup, $"{tool.Name} ({tool.CommandLine}) to print its port", () => errors.Describe());
        }
        finally
        {
            if (!int.TryParse(line, out _))
                await StopAsync(process);
        }
        if (!int.TryParse(line, out int port))
            throw new InvalidOperationException(
                $"{tool.Name} did not start: its first line was {(line is null ? "nothing (it exited)" : Visible.Quoted(line))}, not a port.\n{errors.Describe()}\nRun it by hand: {tool.CommandLine}");
        return new PeerProcess(tool, process, port) { Events = events, Errors = errors };
    }

    public async ValueTask DisposeAsync() => await StopAsync(process);

    /// <summary>Kills the process by its id (it has nothing to save) and waits, bounded, for it to be gone.</summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync().Within(Loopback.DefaultBound, $"process {process.Id} to exit after kill");
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
        finally
        {
            process.Dispose();
        }
    }
}

/// <summary>
/// What every interop test sends and how it checks what comes back, whatever
/// server answers: the messages (exact sizes; text with 1- to 4-byte
/// characters, binary from a seed), connecting, receiving and closing, each
/// bounded and explained when it fails.
/// </summary>
internal static class Interop
{
    /// <summary>The payload lengths at each edge of the three length forms (RFC 6455 §5.2): 7 bits up to 125, 16 bits up to 65535, 64 bits past it.</summary>
    public static readonly int[] Sizes = [0, 125, 126, 65535, 65536];

    /// <summary>The large message of a conformance run (Autobahn's 9.x cases go up to 16 MiB).</summary>
    public const int SixteenMiB = 16 << 20;

    /// <summary>The bound of a 16 MiB round trip: generous for a loaded 2-core machine.</summary>
    public static readonly TimeSpan LargeBound = TimeSpan.FromSeconds(20);

    /// <summary>The client's options for these tests: short timeouts, the client's default limits (64 MiB, 65536 fragments).</summary>
    public static WebSocketClientOptions Options { get; } = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        Connection = WebSocketClientOptions.ClientDefaults with { CloseTimeout = TimeSpan.FromSeconds(2) },
    };

    private static readonly string[] Pieces = ["Grüße", " ", "世界", "! ", "😀", "0123456789", " "];

    /// <summary>Text of exactly <paramref name="bytes"/> UTF-8 bytes, with 1-, 2-, 3- and 4-byte characters (padded with '.').</summary>
    public static string Text(int bytes)
    {
        var text = new StringBuilder(bytes);
        int used = 0;
        for (int i = 0; ; i = (i + 1) % Pieces.Length)
        {
            int size = Encoding.UTF8.GetByteCount(Pieces[i]);
            if (used + size > bytes)
                break;
            text.Append(Pieces[i]);
            used += size;
        }
        return text.Append('.', bytes - used).ToString();
    }

    /// <summary>
    /// Text of exactly <paramref name="bytes"/> UTF-8 bytes that is mostly
    /// ASCII (lines of letters and digits), with a 2-, 3- and 4-byte
    /// character in each 4 KiB: for 16 MiB, where a validator's ASCII fast
    /// path keeps the test quick.
    /// </summary>
    public static string MostlyAsciiText(int bytes)
    {
        const string special = "é世😀"; // 2 + 3 + 4 UTF-8 bytes
        const int block = 4096, specialBytes = 9;
        var text = new StringBuilder(bytes);
        int used = 0;
        while (bytes - used >= block)
        {
            for (int i = 0; i < block - specialBytes - 1; i++)
                text.Append((char)('a' + (used + i) % 26));
            text.Append(special).Append('\n');
            used += block;
        }
        return text.Append('.', bytes - used).ToString();
    }

    /// <summary><paramref name="count"/> bytes from a seeded generator: the same for the same seed.</summary>
    public static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A text or binary message of exactly <paramref name="size"/> bytes.</summary>
    public static Message Payload(MessageType type, int size) =>
        type == MessageType.Text ? Message.FromText(Text(size)) : Message.FromBinary(Bytes(size, seed: size));

    /// <summary>A 16 MiB message: <see cref="MostlyAsciiText"/> or seeded bytes.</summary>
    public static Message Large(MessageType type) =>
        type == MessageType.Text ? Message.FromText(MostlyAsciiText(SixteenMiB)) : Message.FromBinary(Bytes(SixteenMiB, seed: 16));

    /// <summary>"a text message of 126 bytes".</summary>
    public static string Describe(Message message) =>
        $"a {(message.Type == MessageType.Text ? "text" : "binary")} message of {message.Data.Length} bytes";

    /// <summary>Connects the C# way (ConnectAsync), bounded; a refused handshake fails with the server's side of the story.</summary>
    public static async Task<WebSocketClient> ConnectAsync(string url, Func<string> context, string why)
    {
        try
        {
            return await WebSocketClient.ConnectAsync(url, Options).Within(Options.ConnectTimeout + TimeSpan.FromSeconds(2), $"WebSocketClient.ConnectAsync(\"{url}\")", context);
        }
        catch (Exception e) when (e is HandshakeFailedException or System.Net.Sockets.SocketException)
        {
            Check.Fail($"step 4: WebSocketClient.ConnectAsync(\"{url}\") failed: {e.GetType().Name}: {e.Message}", $"{why}\n{context()}");
            throw; // not reached
        }
    }

    /// <summary>The next message, bounded; a close or a failure instead fails the test, saying which.</summary>
    public static async Task<Message> ReceiveAsync(WebSocketClient client, string what, Func<string> context, string why, TimeSpan? bound = null)
    {
        Message? message;
        try
        {
            message = await Bounded.RunAsync(bound ?? Loopback.DefaultBound, what, ct => client.ReceiveAsync(ct).AsTask(), context);
        }
        catch (WebSocketFailedException failed)
        {
            Check.Fail($"Waiting for {what}, the connection failed: {failed.Error.Message} (close event: {failed.Close}).", $"{why}\n{context()}");
            throw; // not reached
        }
        if (message is null)
            Check.Fail($"Waiting for {what}, the connection closed cleanly instead (close event: {await client.Completion}).", $"{why}\n{context()}");
        return message;
    }

    /// <summary>Sends <paramref name="sent"/> (SendAsync) and checks that the same type and bytes come back.</summary>
    public static async Task EchoAsync(WebSocketClient client, Message sent, Func<string> context, string why, TimeSpan? bound = null)
    {
        string what = Describe(sent);
        await client.SendAsync(sent).Within(bound ?? Loopback.DefaultBound, $"SendAsync of {what}", context);
        var got = await ReceiveAsync(client, $"the echo of {what}", context, why, bound);
        SameMessage(got, sent, $"the echo of {what}", why);
    }

    /// <summary>Fails unless <paramref name="got"/> has the type and the exact bytes of <paramref name="expected"/>; says where the first difference is.</summary>
    public static void SameMessage(Message got, Message expected, string what, string why)
    {
        Check.Equal(got.Type, expected.Type, $"steps 5 and 7: the type of {what}", why);
        var a = got.Data.Span;
        var b = expected.Data.Span;
        if (a.SequenceEqual(b))
            return;
        int at = a.CommonPrefixLength(b);
        Check.Fail($"steps 5 and 7: {what} differs: {a.Length} bytes came, {b.Length} expected, first difference at byte {at} " +
            $"(came {Visible.Quoted(a[at..Math.Min(a.Length, at + 16)])}, expected {Visible.Quoted(b[at..Math.Min(b.Length, at + 16)])}).", why);
    }

    /// <summary>CloseAsync, bounded: the server's close and its FIN must come within the client's close timeout.</summary>
    public static Task<CloseEvent> CloseAsync(WebSocketClient client, int code, string reason, Func<string> context) =>
        client.CloseAsync(code, reason).Within(Options.Connection.CloseTimeout + TimeSpan.FromSeconds(3), $"CloseAsync({code}, \"{reason}\") to return the close event", context);

    /// <summary>The server's report of a close frame ({"code": 4000, "reason": "x"}) as a pair; (0, "none") when it reported none.</summary>
    public static (int Code, string Reason) Status(JsonElement report, string property) =>
        report.TryGetProperty(property, out var status) && status.ValueKind == JsonValueKind.Object
            ? (status.GetProperty("code").GetInt32(), status.GetProperty("reason").GetString() ?? "")
            : (0, "none");
}

/// <summary>
/// The browser shape of a client: a <see cref="WebSocketClient"/> made with
/// <c>new</c> whose events are recorded in order (the timeline) and can be awaited.
/// </summary>
internal sealed class InteropEvents : IAsyncDisposable
{
    private readonly object gate = new();
    private readonly List<string> timeline = [];
    private readonly List<MessageEvent> messages = [];
    private readonly TaskCompletionSource opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<CloseEvent> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource messageCame = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes the client (<c>new WebSocketClient(url, options)</c>) and attaches the handlers; call <see cref="WebSocketClient.Connect"/> next.</summary>
    public InteropEvents(string url, Action<WebSocketClient>? onOpen = null)
    {
        Client = new WebSocketClient(url, Interop.Options);
        Client.OnOpen += () =>
        {
            Add("open");
            onOpen?.Invoke(Client);
            opened.TrySetResult();
        };
        Client.OnMessage += e =>
        {
            TaskCompletionSource wake;
            lock (gate)
            {
                messages.Add(e);
                timeline.Add($"message ({Interop.Describe(e.Message)})");
                (wake, messageCame) = (messageCame, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            wake.TrySetResult();
        };
        Client.OnError += e =>
        {
            Add($"error: {e.Message}");
            Error = e;
        };
        Client.OnClose += e =>
        {
            Add($"close {e.Code} \"{e.Reason}\" {(e.WasClean ? "clean" : "not clean")}");
            closed.TrySetResult(e);
        };
    }

    public WebSocketClient Client { get; }

    /// <summary>The error event, if one came.</summary>
    public ErrorEvent? Error { get; private set; }

    /// <summary>The events so far, in order: "open", "message (...)", "error: ...", "close 1000 "reason" clean".</summary>
    public IReadOnlyList<string> Timeline { get { lock (gate) return [.. timeline]; } }

    /// <summary>The messages so far.</summary>
    public IReadOnlyList<MessageEvent> Messages { get { lock (gate) return [.. messages]; } }

    /// <summary>The timeline, for failure messages.</summary>
    public string Describe() => $"the client's events: {string.Join(", then ", Timeline.Select(t => Visible.Escape(t, 200)))}";

    /// <summary>Completes with the close event (OnClose).</summary>
    public Task<CloseEvent> Closed => closed.Task;

    /// <summary>Waits (bounded) for OnOpen; an OnClose first fails the test with the timeline.</summary>
    public async Task OpenedAsync(Func<string> context, string why)
    {
        await Task.WhenAny(opened.Task, closed.Task).Within(Interop.Options.ConnectTimeout + TimeSpan.FromSeconds(2), "OnOpen", () => $"{Describe()}\n{context()}");
        Check.True(opened.Task.IsCompleted, $"step 4: the connection closed without opening: {Describe()}", $"{why}\n{context()}");
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> messages have come; a close first fails the test with the timeline.</summary>
    public async Task<IReadOnlyList<MessageEvent>> MessagesAsync(int count, Func<string> context, string why, TimeSpan? bound = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = bound ?? Loopback.DefaultBound;
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (messages.Count >= count)
                    return [.. messages];
                next = messageCame.Task;
            }
            Check.True(!closed.Task.IsCompleted, $"step 7: the connection closed after {Messages.Count} of {count} messages: {Describe()}", $"{why}\n{context()}");
            var left = limit - deadline.Elapsed;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException(WithinExtensions.TimeoutMessage(limit, $"{count} OnMessage events", () => $"{Describe()}\n{context()}"));
            await Task.WhenAny(next, closed.Task, Task.Delay(left));
        }
    }

    /// <summary>Waits (bounded) for OnClose and returns its event.</summary>
    public Task<CloseEvent> ClosedAsync(Func<string> context, TimeSpan? bound = null) =>
        closed.Task.Within(bound ?? Interop.Options.Connection.CloseTimeout + TimeSpan.FromSeconds(3), "OnClose", () => $"{Describe()}\n{context()}");

    /// <summary>Closes the client if it is still open and waits (bounded) for its end; only cleans up, so it never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync().AsTask().Within(Interop.Options.Connection.CloseTimeout + TimeSpan.FromSeconds(3), "the client's DisposeAsync");
        }
        catch (Exception)
        {
            // The test has said what went wrong; this only lets the connection go.
        }
    }

    private void Add(string line)
    {
        lock (gate)
            timeline.Add(line);
    }
}
