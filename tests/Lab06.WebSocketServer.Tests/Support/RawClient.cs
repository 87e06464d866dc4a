using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>Opcodes as numbers (RFC 6455 §5.2), so a test can also write the reserved ones.</summary>
internal static class Op
{
    public const int Continuation = 0x0;
    public const int Text = 0x1;
    public const int Binary = 0x2;
    public const int Close = 0x8;
    public const int Ping = 0x9;
    public const int Pong = 0xA;
}

/// <summary>
/// Client frames as bytes, written by the tests from RFC 6455 §5.2-§5.3
/// alone (not with the lab's encoder), so they can also break every rule:
/// reserved bits and opcodes, unmasked frames, lengths in a longer form than
/// needed, headers that announce more than follows.
/// </summary>
internal static class ClientFrames
{
    /// <summary>The masking key of RFC 6455 §5.7's examples; any key will do, and a fixed one keeps failures reproducible.</summary>
    public const uint Key = 0x37fa213d;

    /// <summary>RSV1, RSV2 and RSV3 as bits of the first byte (§5.2).</summary>
    public const int Rsv1 = 0x40, Rsv2 = 0x20, Rsv3 = 0x10;

    /// <summary>
    /// One frame: FIN, <paramref name="rsv"/> bits, <paramref name="opcode"/>,
    /// the length in its minimal form, the key and the masked payload
    /// (unmasked when <paramref name="key"/> is null).
    /// </summary>
    public static byte[] Frame(int opcode, ReadOnlySpan<byte> payload, bool fin = true, uint? key = Key, int rsv = 0) =>
        WireFrames.Frame((fin ? 0x80 : 0) | rsv | opcode, payload, key);

    /// <summary>
    /// A header alone: <paramref name="first"/> (FIN, RSV, opcode), then MASK and
    /// the length in <paramref name="lengthBits"/> bits (7, 16 or 64; the minimal
    /// form when null), then the key. It may announce more than will follow.
    /// </summary>
    public static byte[] Header(int first, long length, uint? key = Key, int? lengthBits = null) => WireFrames.Header(first, length, key, lengthBits);

    /// <summary>§5.3: octet i of the payload is XORed with octet i mod 4 of the key (big-endian, as on the wire).</summary>
    public static void Mask(Span<byte> payload, uint key) => WireFrames.Mask(payload, key);

    public static byte[] Text(string text, bool fin = true, uint? key = Key) => Frame(Op.Text, Encoding.UTF8.GetBytes(text), fin, key);

    public static byte[] Binary(ReadOnlySpan<byte> data, bool fin = true, uint? key = Key) => Frame(Op.Binary, data, fin, key);

    public static byte[] Continuation(ReadOnlySpan<byte> data, bool fin) => Frame(Op.Continuation, data, fin);

    public static byte[] Continuation(string text, bool fin) => Frame(Op.Continuation, Encoding.UTF8.GetBytes(text), fin);

    public static byte[] Ping(ReadOnlySpan<byte> payload) => Frame(Op.Ping, payload);

    public static byte[] Pong(ReadOnlySpan<byte> payload) => Frame(Op.Pong, payload);

    /// <summary>A close frame with a 2-byte big-endian code and a UTF-8 reason (§5.5.1).</summary>
    public static byte[] Close(int code, string reason = "") => Frame(Op.Close, ClosePayload(code, Encoding.UTF8.GetBytes(reason)));

    /// <summary>A close frame with no payload at all.</summary>
    public static byte[] EmptyClose() => Frame(Op.Close, []);

    public static byte[] ClosePayload(int code, ReadOnlySpan<byte> reason) => [(byte)(code >> 8), (byte)code, .. reason];

    /// <summary>Several frames (or any bytes) glued into one buffer: one write, one segment.</summary>
    public static byte[] Glue(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    /// <summary>Repeatable pseudo-random bytes.</summary>
    public static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Repeatable ASCII text of exactly <paramref name="count"/> bytes.</summary>
    public static string AsciiText(int count) => string.Create(count, 0, (span, _) =>
    {
        for (int i = 0; i < span.Length; i++)
            span[i] = (char)('a' + i % 26);
    });
}

/// <summary>A close frame the server sent, read by the test: its code (null when the payload was empty) and reason.</summary>
internal readonly record struct ServerClose(int? Code, string Reason, byte[] Payload)
{
    public override string ToString() => Code is int code ? $"close {code}{(Reason.Length > 0 ? $" \"{Reason}\"" : "")}" : "an empty close (no code)";
}

/// <summary>
/// A WebSocket client on a raw socket, for conformance tests: it does the
/// opening handshake by hand (RFC 6455 §4.1), sends whatever bytes a test
/// gives it (masked frames from <see cref="ClientFrames"/>, or broken ones),
/// and reads the server's frames with Lab 05's <see cref="FrameDecoder"/> in
/// the client role, so a masked or malformed server frame fails the test.
/// Every wait is bounded; every failure message carries the transcript of
/// what went each way, then the server's log.
/// </summary>
/// <remarks>Not thread-safe: one test drives it. Dispose closes the socket (the server sees EOF).</remarks>
internal sealed class RawClient : IAsyncDisposable
{
    /// <summary>The bound of one wait: far above what loopback needs.</summary>
    public static readonly TimeSpan Bound = Loopback.DefaultBound;

    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const int StoryLines = 60;

    private readonly Socket socket;
    private readonly FrameDecoder decoder;
    private readonly Queue<Frame> frames = new();
    private readonly List<string> story = [];
    private readonly Func<string>? context;
    private readonly byte[] buffer = new byte[64 * 1024];
    private bool eof;

    private RawClient(Socket socket, FrameLimits? limits, Func<string>? context)
    {
        this.socket = socket;
        this.context = context;
        decoder = new FrameDecoder(Role.Client, limits ?? new FrameLimits { MaxMessageLength = 64 << 20, MaxFragments = 100_000 });
    }

    /// <summary>The socket, for tests that go below the client.</summary>
    public Socket Socket => socket;

    /// <summary>The server's 101 response head.</summary>
    public string ResponseHead { get; private set; } = "";

    /// <summary>True once the server closed its side of TCP (a 0-byte read).</summary>
    public bool SawEof => eof;

    /// <summary>
    /// Connects to <paramref name="endpoint"/> and upgrades <paramref name="path"/>
    /// by hand: a GET with a fresh Sec-WebSocket-Key; the answer must be 101 with
    /// the Sec-WebSocket-Accept this test computes (base64(SHA-1(key + GUID)), §4.2.2).
    /// Bytes in <paramref name="glued"/> go in the same write as the request (frames
    /// that arrive with the handshake). Bytes behind the 101 head are the first frames.
    /// </summary>
    public static async Task<RawClient> ConnectAsync(IPEndPoint endpoint, string path = "/echo", FrameLimits? limits = null,
        Func<string>? context = null, byte[]? glued = null, string extraHeaders = "")
    {
        var socket = await Loopback.ConnectAsync(endpoint).ConfigureAwait(false);
        var client = new RawClient(socket, limits, context);
        try
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET {path} HTTP/1.1\r\nHost: {endpoint}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";
            client.story.Add($"→ GET {path} (opening handshake)");
            byte[] bytes = [.. Encoding.ASCII.GetBytes(request), .. glued ?? []];
            if (glued is { Length: > 0 })
                client.Note("→", glued, "in the same write as the handshake");
            await socket.SendBytesAsync(bytes, Bound, "the handshake request to be sent", context).ConfigureAwait(false);

            var (head, rest) = await ReadHeadAsync(socket, "the server's answer to the handshake (101 Switching Protocols)", context).ConfigureAwait(false);
            client.ResponseHead = head;
            client.story.Add($"← {head.Split("\r\n")[0]}");
            string expectedAccept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));
            if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                Check.Fail($"The handshake on {path}: expected \"HTTP/1.1 101 Switching Protocols\", got {Visible.Quoted(head.Split("\r\n")[0])}" +
                    (head.StartsWith("HTTP/1.1 500", StringComparison.Ordinal) ? " (WebSocketServer.HandleAsync threw: step 13?)." : "."),
                    "In Lab 06 WebSocketServer.HandleAsync runs before Lab 04's endpoints: its 503 check (step 13) must let a handshake through " +
                    "while the server has room. Notebook 06 §8, RFC 6455 §4.2.2.\n" + Visible.Escape(head) + Environment.NewLine + context?.Invoke());
            bool acceptOk = head.Split("\r\n").Any(line => line.StartsWith("Sec-WebSocket-Accept:", StringComparison.OrdinalIgnoreCase)
                && line["Sec-WebSocket-Accept:".Length..].Trim() == expectedAccept);
            Check.True(acceptOk, $"The handshake on {path}: expected Sec-WebSocket-Accept: {expectedAccept} in the 101",
                "RFC 6455 §4.2.2: base64(SHA-1(key + GUID)).\n" + Visible.Escape(head));
            client.Feed(rest);
            return client;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends an HTTP request as it is (the test writes every byte) on a new
    /// connection and returns the response head, for handshakes that must be refused.
    /// </summary>
    public static async Task<string> ExchangeAsync(IPEndPoint endpoint, string request, Func<string>? context = null)
    {
        using var socket = await Loopback.ConnectAsync(endpoint).ConfigureAwait(false);
        await socket.SendBytesAsync(Encoding.ASCII.GetBytes(request), Bound, "the request to be sent", context).ConfigureAwait(false);
        var (head, _) = await ReadHeadAsync(socket, "the server's response head", context).ConfigureAwait(false);
        return head;
    }

    /// <summary>Reads up to the blank line that ends an HTTP head; returns the head (without it) and the bytes behind it.</summary>
    private static async Task<(string Head, byte[] Behind)> ReadHeadAsync(Socket socket, string what, Func<string>? context)
    {
        var received = new List<byte>();
        var chunk = new byte[4096];
        return await Bounded.RunAsync(Bound, what, async ct =>
        {
            while (true)
            {
                int end = IndexOfBlankLine(received);
                if (end >= 0)
                    return (Encoding.ASCII.GetString([.. received.Take(end)]), received.Skip(end + 4).ToArray());
                if (received.Count > 64 * 1024)
                    throw new InvalidDataException($"Waiting for {what}: 64 KiB came and no blank line ended the head.");
                int n = await socket.ReceiveAsync(chunk, SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                    throw new EndOfStreamException($"Waiting for {what}: the server closed the connection (FIN) after {received.Count} bytes: " +
                        $"{Visible.Quoted([.. received], 200)}.{Environment.NewLine}{context?.Invoke()}");
                received.AddRange(chunk.AsSpan(0, n).ToArray());
            }
        }, () => $"{received.Count} bytes had come: {Visible.Quoted([.. received], 200)}{Environment.NewLine}{context?.Invoke()}").ConfigureAwait(false);
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (int i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
                return i;
        }
        return -1;
    }

    /// <summary>Sends <paramref name="bytes"/> in one write (frames glued together arrive together).</summary>
    public async Task SendAsync(byte[] bytes, string? what = null)
    {
        Note("→", bytes, what);
        await socket.SendBytesAsync(bytes, Bound, $"{bytes.Length} bytes to be sent{(what is null ? "" : $" ({what})")}", Story).ConfigureAwait(false);
    }

    /// <summary>Sends <paramref name="bytes"/> one byte per write: the server must not assume that one read is one frame.</summary>
    public async Task SendByteByByteAsync(byte[] bytes, string? what = null)
    {
        Note("→", bytes, (what is null ? "" : what + ", ") + "one byte per write");
        for (int i = 0; i < bytes.Length; i++)
            await socket.SendBytesAsync(bytes.AsMemory(i, 1), Bound, $"byte {i} of {bytes.Length} to be sent", Story).ConfigureAwait(false);
    }

    /// <summary>The next frame from the server, within the bound.</summary>
    public async Task<Frame> ReceiveFrameAsync(string what, TimeSpan? bound = null)
    {
        return await Bounded.RunAsync(bound ?? Bound, what, async ct =>
        {
            while (frames.Count == 0)
            {
                if (eof)
                    throw new EndOfStreamException($"Waiting for {what}: the server closed TCP (a 0-byte read, its FIN) before sending it.{Environment.NewLine}{Story()}");
                await FillAsync(ct).ConfigureAwait(false);
            }
            return frames.Dequeue();
        }, Story).ConfigureAwait(false);
    }

    /// <summary>
    /// The next message: a data frame, or fragments joined (§5.4). Any other
    /// frame first fails the test, with what came instead.
    /// </summary>
    public async Task<(int Opcode, byte[] Data)> ReceiveMessageAsync(string what, TimeSpan? bound = null)
    {
        var data = new MemoryStream();
        int? type = null;
        while (true)
        {
            var frame = await ReceiveFrameAsync(what, bound).ConfigureAwait(false);
            if (frame.Opcode.IsControl())
                Check.Fail($"Waiting for {what}: expected a data frame, got {Describe(frame)}.", Story());
            type ??= (int)frame.Opcode;
            data.Write(frame.Payload.Span);
            if (frame.Fin)
                return (type.Value, data.ToArray());
        }
    }

    /// <summary>The next frame, which must be a close; its payload read by the test (§5.5.1).</summary>
    public async Task<ServerClose> ReceiveCloseAsync(string what, TimeSpan? bound = null)
    {
        var frame = await ReceiveFrameAsync(what, bound).ConfigureAwait(false);
        if (frame.Opcode != Opcode.Close)
            Check.Fail($"Waiting for {what}: expected a close frame, got {Describe(frame)}.", Story());
        var payload = frame.Payload.ToArray();
        Check.True(payload.Length != 1, $"{what}: the server's close frame has a 1-byte payload",
            "RFC 6455 §5.5.1: a close payload is empty or starts with a 2-byte code.\n" + Story());
        if (payload.Length == 0)
            return new ServerClose(null, "", payload);
        int code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        return new ServerClose(code, Encoding.UTF8.GetString(payload.AsSpan(2)), payload);
    }

    /// <summary>
    /// Reads until the server closes TCP (FIN): nothing may come after its
    /// close frame (§5.5.1), and a server closes TCP first once the closing
    /// handshake is done or the connection failed (§7.1.1, §7.1.7).
    /// </summary>
    public async Task ExpectEofAsync(string what, TimeSpan? bound = null)
    {
        try
        {
            await Bounded.RunAsync(bound ?? Bound, what, async ct =>
            {
                while (!eof)
                {
                    if (frames.Count > 0)
                        Check.Fail($"{what}: expected nothing more from the server, then its FIN; got {Describe(frames.Peek())}.",
                            "RFC 6455 §5.5.1: after its close frame, an endpoint sends nothing more.\n" + Story());
                    await FillAsync(ct).ConfigureAwait(false);
                }
                if (frames.Count > 0)
                    Check.Fail($"{what}: expected nothing more from the server before its FIN; got {Describe(frames.Peek())}.",
                        "RFC 6455 §5.5.1: after its close frame, an endpoint sends nothing more.\n" + Story());
            }, Story).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            Check.Fail($"{what}: expected the server's FIN (an orderly close), got a reset (RST).",
                "RFC 6455 §7.1.1: the server closes the TCP connection, cleanly. A reset often means it closed its socket " +
                "with unread bytes in it, or before its close frame was written.\n" + Story());
        }
    }

    /// <summary>
    /// The server must fail the connection (§7.1.7): its next frame is a close
    /// with <paramref name="code"/>, and then it closes TCP. <paramref name="after"/>
    /// says what the test sent, <paramref name="step"/> and <paramref name="why"/> where to look.
    /// </summary>
    public async Task<ServerClose> ExpectFailureAsync(int code, string after, string step, string why)
    {
        var close = await ReceiveCloseAsync($"the server's close frame with {code} ({CloseCodes.Describe(code)}) after {after} ({step})").ConfigureAwait(false);
        if (close.Code != code)
            Check.Fail($"{step}: after {after}, expected the server to fail the connection with {code} ({CloseCodes.Describe(code)}), got {close}.",
                why + Environment.NewLine + Story());
        await ExpectEofAsync($"the server to close TCP (its FIN) after its close frame {code}, after {after} ({step})").ConfigureAwait(false);
        return close;
    }

    /// <summary>The test's side of a clean close: close 1000, the server's close back, then its FIN.</summary>
    public async Task CloseAsync(string step = "steps 3 and 8")
    {
        await SendAsync(ClientFrames.Close(1000, "done"), "close 1000").ConfigureAwait(false);
        var close = await ReceiveCloseAsync($"the server's answer to close 1000 ({step})").ConfigureAwait(false);
        Check.Equal(close.Code, 1000, $"{step}: the code of the server's answer to close 1000", "RFC 6455 §5.5.1: the endpoint echoes the code.\n" + Story());
        await ExpectEofAsync($"the server to close TCP after the closing handshake ({step})").ConfigureAwait(false);
    }

    private async Task FillAsync(CancellationToken ct)
    {
        int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
        if (n == 0)
        {
            eof = true;
            Add("← FIN (the server closed its side of TCP)");
            return;
        }
        Feed(buffer.AsSpan(0, n));
    }

    private void Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            int used;
            Frame? frame;
            try
            {
                used = decoder.Decode(data, out frame);
            }
            catch (WebSocketProtocolException e)
            {
                Check.Fail($"The server sent bytes that break RFC 6455 ({e.Error}): {e.Message}",
                    $"A server's frames are unmasked (§5.1), minimal in their length (§5.2), and UTF-8 when text (§8.1).{Environment.NewLine}" +
                    $"Bytes: {FrameFormatter.Hex(data[..Math.Min(data.Length, 32)])}{Environment.NewLine}{Story()}");
                throw; // not reached
            }
            data = data[used..];
            if (frame is not null)
            {
                frames.Enqueue(frame);
                Add("← " + Describe(frame));
            }
        }
    }

    private void Note(string arrow, byte[] bytes, string? what)
    {
        // Only the start is formatted: a 16 MiB message needs one line, not sixteen million bytes.
        var shown = FrameFormatter.Format(bytes.AsSpan(0, Math.Min(bytes.Length, 512)));
        var lines = shown.Split('\n');
        Add($"{arrow} {(what is null ? "" : what + ": ")}{bytes.Length} bytes");
        foreach (var line in lines.Take(12))
            Add("    " + line);
        if (lines.Length > 12)
            Add($"    … {lines.Length - 12} more frame(s)");
    }

    private void Add(string line)
    {
        if (story.Count < StoryLines)
            story.Add(line);
        else if (story.Count == StoryLines)
            story.Add("… (transcript cut)");
    }

    private static string Describe(Frame frame)
    {
        if (frame.Opcode == Opcode.Close && frame.Payload.Length >= 2)
        {
            int code = BinaryPrimitives.ReadUInt16BigEndian(frame.Payload.Span);
            return $"close {code} ({CloseCodes.Describe(code)}){(frame.Payload.Length > 2 ? $" \"{Encoding.UTF8.GetString(frame.Payload.Span[2..])}\"" : "")}";
        }
        return FrameFormatter.Format(frame);
    }

    /// <summary>What went each way so far, then the server's log.</summary>
    public string Story()
    {
        var text = "Transcript (→ sent by the test, ← received from the server):" + Environment.NewLine + string.Join(Environment.NewLine, story);
        var more = context?.Invoke();
        return string.IsNullOrWhiteSpace(more) ? text : text + Environment.NewLine + more;
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
