using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Course.Testing;

/// <summary>
/// A WebSocket "server" on 127.0.0.1 that does exactly what a test script
/// says, byte by byte, for testing clients: answer the handshake rightly or
/// wrongly, or never; send any frame, also one no server may send; read the
/// client's frames with an independent decoder (RFC 6455 §5.2, written here,
/// never with a lab's code); see whether and when the client closes TCP.
/// Each accepted connection runs the script once.
/// </summary>
/// <remarks>Every wait is bounded: the whole script by <c>limit</c> (then, or at DisposeAsync, its socket is closed), and each read by its own bound.</remarks>
public sealed class ScriptedServer : IAsyncDisposable
{
    private readonly Socket listener;
    private readonly CancellationTokenSource stop;
    private readonly Task accepting;
    private readonly List<Task> scripts = [];
    private readonly object gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> waiters = [];

    private ScriptedServer(Func<ScriptedConnection, Task> script, TimeSpan limit)
    {
        listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(Loopback.AnyPort());
        listener.Listen(16);
        EndPoint = (IPEndPoint)listener.LocalEndPoint!;
        stop = new CancellationTokenSource(limit);
        accepting = AcceptAsync(script);
    }

    /// <summary>Starts listening; <paramref name="script"/> runs for each connection, for at most <paramref name="limit"/> (default 20 s) in all.</summary>
    public static ScriptedServer Start(Func<ScriptedConnection, Task> script, TimeSpan? limit = null) =>
        new(script ?? throw new ArgumentNullException(nameof(script)), limit ?? TimeSpan.FromSeconds(20));

    /// <summary>Where it listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary><c>ws://127.0.0.1:PORT/path</c>.</summary>
    public string Url(string pathAndQuery = "/") => $"ws://{EndPoint}{pathAndQuery}";

    /// <summary>The connections accepted so far.</summary>
    public int Accepted { get { lock (gate) return scripts.Count; } }

    /// <summary>
    /// Waits for every script that started to finish, and rethrows the
    /// first one's exception: a test calls it to learn that its script's own
    /// checks passed.
    /// </summary>
    /// <remarks>
    /// With <paramref name="connections"/>, it first waits (within the same
    /// bound) for that many connections to be accepted: a client that
    /// connects on its own task may not have connected yet when the test asks.
    /// </remarks>
    public async Task ScriptsFinishedAsync(TimeSpan? bound = null, int connections = 0)
    {
        var limit = bound ?? Loopback.DefaultBound;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (connections > 0)
            await AcceptedAsync(connections).Within(limit, $"{connections} connection(s) to the scripted server at {EndPoint} (accepted so far: {Accepted})").ConfigureAwait(false);
        Task[] running;
        lock (gate)
            running = [.. scripts];
        var left = limit - clock.Elapsed;
        await Task.WhenAll(running).Within(left > TimeSpan.Zero ? left : TimeSpan.Zero, "the scripted server's script to finish").ConfigureAwait(false);
    }

    /// <summary>Completes once <paramref name="count"/> connections have been accepted (unbounded: bound it with Within).</summary>
    public Task AcceptedAsync(int count)
    {
        lock (gate)
        {
            if (scripts.Count >= count)
                return Task.CompletedTask;
            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, waiter));
            return waiter.Task;
        }
    }

    private async Task AcceptAsync(Func<ScriptedConnection, Task> script)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var socket = await listener.AcceptAsync(stop.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                var connection = new ScriptedConnection(socket, stop.Token);
                List<TaskCompletionSource> wake;
                lock (gate)
                {
                    scripts.Add(RunAsync(connection, script));
                    wake = [.. waiters.Where(w => w.Count <= scripts.Count).Select(w => w.Done)];
                    waiters.RemoveAll(w => w.Count <= scripts.Count);
                }
                wake.ForEach(w => w.TrySetResult());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private static async Task RunAsync(ScriptedConnection connection, Func<ScriptedConnection, Task> script)
    {
        await Task.Yield();
        using (connection)
            await script(connection).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        await accepting.ConfigureAwait(false);
        Task[] running;
        lock (gate)
            running = [.. scripts];
        try
        {
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A script's failure is reported by ScriptsFinishedAsync, or by the test's own checks.
        }
        stop.Dispose();
    }
}

/// <summary>A frame as a client sent it, decoded by the test (RFC 6455 §5.2) and unmasked.</summary>
/// <param name="First">The first byte: FIN, RSV1-3, opcode.</param>
/// <param name="Masked">The MASK bit.</param>
/// <param name="MaskingKey">The key, in network order as a number (0 when not masked).</param>
/// <param name="Payload">The payload, unmasked.</param>
/// <param name="Header">The header's bytes as they came.</param>
public sealed record ClientFrame(byte First, bool Masked, uint MaskingKey, byte[] Payload, byte[] Header)
{
    public bool Fin => (First & 0x80) != 0;
    public int Rsv => (First >> 4) & 0x7;
    public int Opcode => First & 0x0F;

    /// <summary>The close code of a close frame (null when its payload is empty).</summary>
    public int? CloseCode => Opcode == 0x8 && Payload.Length >= 2 ? Payload[0] << 8 | Payload[1] : null;

    /// <summary>The payload as UTF-8 (the close reason for a close frame).</summary>
    public string Text => Encoding.UTF8.GetString(Opcode == 0x8 && Payload.Length >= 2 ? Payload.AsSpan(2) : Payload);

    public override string ToString()
    {
        string name = Opcode switch { 0 => "continuation", 1 => "text", 2 => "binary", 8 => "close", 9 => "ping", 10 => "pong", _ => $"opcode {Opcode:x}" };
        string detail = Opcode == 8 ? (CloseCode is int code ? $" {code}{(Text.Length > 0 ? $" \"{Text}\"" : "")}" : " (no code)") : $", {Payload.Length} bytes";
        return $"{(Fin ? "FIN " : "")}{name}{detail}{(Masked ? "" : ", NOT masked")}";
    }
}

/// <summary>A whole message as a client sent it: <paramref name="Opcode"/> 1 (text) or 2 (binary), the payloads of its <paramref name="Frames"/> joined, and the control frames that came between them.</summary>
public sealed record ClientMessage(int Opcode, byte[] Payload, IReadOnlyList<ClientFrame> Frames, IReadOnlyList<ClientFrame> Controls)
{
    /// <summary>The payload as UTF-8.</summary>
    public string Text => Encoding.UTF8.GetString(Payload);

    public override string ToString() => $"{(Opcode == 1 ? "text" : "binary")} message, {Payload.Length} bytes in {Frames.Count} frame(s)";
}

/// <summary>One connection to a <see cref="ScriptedServer"/>: the script's view of the socket.</summary>
public sealed class ScriptedConnection : IDisposable
{
    /// <summary>The GUID of RFC 6455 §1.3, for Sec-WebSocket-Accept.</summary>
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private readonly byte[] buffer = new byte[64 * 1024];
    private int start, end; // unread bytes: buffer[start..end]

    private readonly CancellationTokenRegistration stopping;

    internal ScriptedConnection(Socket socket, CancellationToken stop)
    {
        Socket = socket;
        Stop = stop;
        // When the server stops (its limit, or DisposeAsync), the socket closes: a script
        // still waiting in a read or a send ends at once instead of holding the test.
        stopping = stop.Register(static s => ((Socket)s!).Dispose(), socket);
    }

    /// <summary>The accepted socket.</summary>
    public Socket Socket { get; }

    /// <summary>Cancelled when the server stops (its limit, or DisposeAsync).</summary>
    public CancellationToken Stop { get; }

    /// <summary>The request head, once read (without the final empty line).</summary>
    public string RequestHead { get; private set; } = "";

    /// <summary>The client's Sec-WebSocket-Key, once the head is read.</summary>
    public string? Key => Header("Sec-WebSocket-Key");

    /// <summary>Every frame read so far, in order, as text: what the script saw, for failure messages.</summary>
    public List<string> Seen { get; } = [];

    /// <summary>A field of the request head (the first with that name), or null.</summary>
    public string? Header(string name) => RequestHead.Split("\r\n").Skip(1)
        .Select(line => line.Split(':', 2))
        .Where(parts => parts.Length == 2 && parts[0].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
        .Select(parts => parts[1].Trim()).FirstOrDefault();

    /// <summary>base64(SHA-1(key + GUID)) (RFC 6455 §4.2.2 item 5.4), computed here, not by a lab.</summary>
    public static string AcceptFor(string key) => Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));

    /// <summary>Reads the request head up to its empty line.</summary>
    public async Task<string> ReadRequestHeadAsync(TimeSpan? bound = null)
    {
        var head = new StringBuilder();
        await Bounded.RunAsync(bound ?? Loopback.DefaultBound, "the client's handshake request (up to its empty line)", async ct =>
        {
            while (true)
            {
                int found = buffer.AsSpan(start, end - start).IndexOf("\r\n\r\n"u8);
                if (found >= 0)
                {
                    head.Append(Encoding.Latin1.GetString(buffer, start, found));
                    start += found + 4;
                    return;
                }
                if (!await FillAsync(ct).ConfigureAwait(false))
                    throw new IOException($"The client closed TCP before the end of its request head: {Visible.Quoted(head + Encoding.Latin1.GetString(buffer, start, end - start))}");
            }
        }).ConfigureAwait(false);
        RequestHead = head.ToString();
        return RequestHead;
    }

    /// <summary>
    /// Reads the request and answers 101 with the right accept, plus
    /// <paramref name="extraFields"/> (each "Name: value"). The usual start of a script.
    /// </summary>
    public async Task AcceptAsync(params string[] extraFields)
    {
        if (RequestHead.Length == 0)
            await ReadRequestHeadAsync().ConfigureAwait(false);
        var key = Key ?? throw new InvalidOperationException($"The request has no Sec-WebSocket-Key: {Visible.Quoted(RequestHead)}");
        await SendAsync(SwitchingProtocols(AcceptFor(key), extraFields)).ConfigureAwait(false);
    }

    /// <summary>A 101 response's text with the given accept and extra fields.</summary>
    public static string SwitchingProtocols(string accept, params string[] extraFields) =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Accept: {accept}\r\n" + string.Concat(extraFields.Select(f => f + "\r\n")) + "\r\n";

    /// <summary>Sends text as Latin-1 bytes (for HTTP heads).</summary>
    public Task SendAsync(string latin1) => SendAsync(Encoding.Latin1.GetBytes(latin1));

    /// <summary>Sends every byte, within the default bound.</summary>
    public Task SendAsync(ReadOnlyMemory<byte> bytes) =>
        Bounded.RunAsync(Loopback.DefaultBound, $"sending {bytes.Length} bytes to the client", async ct =>
        {
            for (var rest = bytes; !rest.IsEmpty;)
                rest = rest[await Socket.SendAsync(rest, SocketFlags.None, ct).ConfigureAwait(false)..];
        });

    /// <summary>Sends one server frame (unmasked unless a key is given): <paramref name="first"/> is FIN|RSV|opcode.</summary>
    public Task SendFrameAsync(int first, ReadOnlySpan<byte> payload, uint? key = null) => SendAsync(WireFrames.Frame(first, payload, key));

    /// <summary>Sends a whole text frame.</summary>
    public Task SendTextAsync(string text) => SendFrameAsync(0x81, Encoding.UTF8.GetBytes(text));

    /// <summary>Sends a close frame with a code and reason.</summary>
    public Task SendCloseAsync(int code, string reason = "") =>
        SendFrameAsync(0x88, [(byte)(code >> 8), (byte)code, .. Encoding.UTF8.GetBytes(reason)]);

    /// <summary>
    /// Reads the client's next frame, whole, within <paramref name="bound"/>.
    /// Throws a message naming <paramref name="what"/> and the frames seen
    /// so far when none comes in time or TCP ends first.
    /// </summary>
    public async Task<ClientFrame> ReadFrameAsync(string what = "the client's next frame", TimeSpan? bound = null)
    {
        var frame = await Bounded.RunAsync(bound ?? Loopback.DefaultBound, what, async ct =>
        {
            await NeedAsync(2, what, ct).ConfigureAwait(false);
            byte first = buffer[start], second = buffer[start + 1];
            bool masked = (second & 0x80) != 0;
            int lengthBytes = (second & 0x7F) switch { 126 => 2, 127 => 8, _ => 0 };
            int headerLength = 2 + lengthBytes + (masked ? 4 : 0);
            await NeedAsync(headerLength, what, ct).ConfigureAwait(false);
            long length = second & 0x7F;
            if (lengthBytes > 0)
            {
                length = 0;
                for (int i = 0; i < lengthBytes; i++)
                    length = length << 8 | buffer[start + 2 + i];
            }
            if (length > 64L << 20)
                throw new InvalidDataException($"The client's frame announces {length} bytes; the scripted server takes at most 64 MiB.");
            uint key = 0;
            if (masked)
                for (int i = 0; i < 4; i++)
                    key = key << 8 | buffer[start + 2 + lengthBytes + i];
            var header = buffer.AsSpan(start, headerLength).ToArray();
            start += headerLength;
            var payload = new byte[length];
            for (int filled = 0; filled < length;)
            {
                await NeedAsync(1, what, ct).ConfigureAwait(false);
                int n = (int)Math.Min(end - start, length - filled);
                buffer.AsSpan(start, n).CopyTo(payload.AsSpan(filled));
                start += n;
                filled += n;
            }
            if (masked)
                WireFrames.Mask(payload, key);
            return new ClientFrame(first, masked, key, payload, header);
        }, () => SeenSoFar()).ConfigureAwait(false);
        Seen.Add(frame.ToString());
        return frame;
    }

    /// <summary>
    /// Waits up to <paramref name="bound"/> for the client to end TCP, and
    /// says how: Fin (a 0-byte read), Reset, or null when it is still open.
    /// Bytes that come meanwhile are read and dropped.
    /// </summary>
    /// <remarks>What was dropped, the bytes already buffered included, is in <see cref="Drained"/> afterwards (up to 1 MiB).</remarks>
    public async Task<PeerClose?> WaitForCloseAsync(TimeSpan bound)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Stop);
        timeout.CancelAfter(bound);
        var drained = new List<byte>(buffer.AsSpan(start, end - start).ToArray());
        try
        {
            start = end = 0;
            int n;
            while ((n = await Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false)) > 0)
            {
                if (drained.Count < 1 << 20)
                    drained.AddRange(buffer.AsSpan(0, n));
            }
            return PeerClose.Fin;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return PeerClose.Reset;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception e) when (Stop.IsCancellationRequested && e is ObjectDisposedException or SocketException)
        {
            return null; // the server stopped and closed the socket
        }
        finally
        {
            Drained = [.. drained];
        }
    }

    /// <summary>The bytes the last <see cref="WaitForCloseAsync"/> read and dropped: a client that sends nothing more leaves it empty.</summary>
    public byte[] Drained { get; private set; } = [];

    /// <summary>
    /// Reads the client's next whole message: its data frames up to the one
    /// with FIN, each within <paramref name="bound"/>. Control frames that
    /// come between them (a pong) are returned apart, in order.
    /// </summary>
    /// <exception cref="InvalidDataException">A frame that cannot be in a message comes (a close, a continuation first, a new message inside this one).</exception>
    public async Task<ClientMessage> ReadMessageAsync(string what = "the client's next message", TimeSpan? bound = null)
    {
        var frames = new List<ClientFrame>();
        var controls = new List<ClientFrame>();
        var payload = new MemoryStream();
        while (true)
        {
            var frame = await ReadFrameAsync(frames.Count == 0 ? what : $"fragment {frames.Count + 1} of {what}", bound).ConfigureAwait(false);
            if (frame.Opcode is 0x9 or 0xA)
            {
                controls.Add(frame);
                continue;
            }
            bool first = frames.Count == 0;
            if (frame.Opcode == 0x8 || (first ? frame.Opcode is not (0x1 or 0x2) : frame.Opcode != 0x0))
                throw new InvalidDataException($"Waiting for {what}, the scripted server got {frame} as {(first ? "its first frame" : $"fragment {frames.Count + 1}")}. {SeenSoFar()}");
            frames.Add(frame);
            payload.Write(frame.Payload);
            if (frame.Fin)
                return new ClientMessage(frames[0].Opcode, payload.ToArray(), frames, controls);
        }
    }

    /// <summary>
    /// A closing handshake the server starts: close <paramref name="code"/>,
    /// read the client's answer, then close TCP first (RFC 6455 §7.1.1) and
    /// wait for the client's FIN. Returns the client's answer.
    /// </summary>
    public async Task<ClientFrame> CloseFromServerAsync(int code = 1000, string reason = "", TimeSpan? bound = null)
    {
        await SendCloseAsync(code, reason).ConfigureAwait(false);
        var answer = await ReadFrameAsync($"the client's answer to close {code}", bound).ConfigureAwait(false);
        CloseOutput();
        await WaitForCloseAsync(bound ?? Loopback.DefaultBound).ConfigureAwait(false);
        return answer;
    }

    /// <summary>
    /// A closing handshake the client started with <paramref name="close"/>:
    /// echo its code (1000 for an empty close), close TCP first (§7.1.1), and
    /// wait up to <paramref name="bound"/> (3 s) for the client's FIN.
    /// </summary>
    public async Task AnswerCloseAsync(ClientFrame close, TimeSpan? bound = null)
    {
        ArgumentNullException.ThrowIfNull(close);
        await SendCloseAsync(close.CloseCode ?? 1000).ConfigureAwait(false);
        CloseOutput();
        await WaitForCloseAsync(bound ?? TimeSpan.FromSeconds(3)).ConfigureAwait(false);
    }

    /// <summary>Sends FIN: the server closes its side of TCP (RFC 6455 §7.1.1: the server closes first).</summary>
    public void CloseOutput() => Socket.Shutdown(SocketShutdown.Send);

    /// <summary>Drops the connection with RST (no FIN): linger 0, then close.</summary>
    public void Reset()
    {
        Socket.LingerState = new LingerOption(true, 0);
        Socket.Close();
    }

    /// <summary>"frames seen so far: ..." for failure messages.</summary>
    public string SeenSoFar() => Seen.Count == 0 ? "No frame came from the client before that." : $"Frames from the client so far: {string.Join("; ", Seen)}.";

    private async Task NeedAsync(int count, string what, CancellationToken ct)
    {
        while (end - start < count)
        {
            if (!await FillAsync(ct).ConfigureAwait(false))
                throw new IOException($"The client closed TCP while the scripted server waited for {what}. {SeenSoFar()}");
        }
    }

    private async Task<bool> FillAsync(CancellationToken ct)
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            (end, start) = (end - start, 0);
        }
        if (end == buffer.Length)
            throw new InvalidOperationException("The scripted server's buffer is full.");
        int n = await Socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, ct).ConfigureAwait(false);
        end += n;
        return n > 0;
    }

    public void Dispose()
    {
        stopping.Dispose();
        Socket.Dispose();
    }
}
