using Shouldly;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Course.Testing;

/// <summary>A response as the tests read it off the wire, with their own small parser (not the lab's).</summary>
public sealed record WireResponse(string StatusLine, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers, string Body, byte[] Raw)
{
    /// <summary>The value of a header (names compared case-insensitively), or null.</summary>
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The response as text, CR and LF visible: for failure messages.</summary>
    public override string ToString() => Visible.Quoted(Raw, 400);
}

/// <summary>
/// A raw-socket HTTP client for tests: the bytes sent are exactly those the
/// test writes, responses are read with a tiny independent parser, and every
/// step goes into a transcript (for snapshots and failure messages).
/// </summary>
public sealed class HttpWire : IAsyncDisposable
{
    private readonly List<byte> _pending = [];
    private readonly byte[] _buffer = new byte[16 * 1024];

    private HttpWire(Socket socket, Transcript transcript)
    {
        Socket = socket;
        Transcript = transcript;
    }

    /// <summary>The connection.</summary>
    public Socket Socket { get; }

    /// <summary>Where the conversation is written down.</summary>
    public Transcript Transcript { get; }

    /// <summary>Connects to <paramref name="server"/> (bounded, see <see cref="Loopback.ConnectAsync"/>).</summary>
    public static async Task<HttpWire> ConnectAsync(IPEndPoint server, Transcript? transcript = null) =>
        new(await Loopback.ConnectAsync(server), transcript ?? new Transcript());

    /// <summary>Sends <paramref name="request"/> (its UTF-8 bytes: the heads here are ASCII, a JSON body is UTF-8) as one write.</summary>
    public async Task SendAsync(string request)
    {
        var bytes = Encoding.UTF8.GetBytes(request);
        Transcript.DataByLine(Transcript.Client, Transcript.Server, bytes);
        await Socket.SendBytesAsync(bytes, what: "sending the request");
    }

    /// <summary>Reads one whole response (head, then Content-Length body bytes; no body after HEAD).</summary>
    /// <exception cref="TimeoutException">No complete response within the bound; the message shows the bytes received so far.</exception>
    public Task<WireResponse> ReadResponseAsync(string what, TimeSpan? bound = null, bool headRequest = false, Func<string>? context = null) =>
        Bounded.RunAsync(bound ?? Loopback.DefaultBound, what, async ct =>
        {
            int headEnd;
            while ((headEnd = IndexOfHeadEnd()) < 0)
                await ReceiveMoreAsync(what, ct);
            var head = Encoding.Latin1.GetString(_pending.GetRange(0, headEnd).ToArray());
            var lines = head.Split("\r\n", StringSplitOptions.None).Where(l => l.Length > 0).ToArray();
            var headers = lines.Skip(1).Select(l =>
            {
                int colon = l.IndexOf(':');
                return colon < 0 ? new KeyValuePair<string, string>(l, "") : new(l[..colon], l[(colon + 1)..].Trim());
            }).ToList();
            var statusParts = lines[0].Split(' ', 3);
            int status = statusParts.Length >= 2 && int.TryParse(statusParts[1], out var s) ? s : -1;
            int length = headRequest ? 0 : int.TryParse(headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value, out var n) ? n : 0;
            while (_pending.Count < headEnd + length)
                await ReceiveMoreAsync(what, ct);
            var raw = _pending.GetRange(0, headEnd + length).ToArray();
            _pending.RemoveRange(0, headEnd + length);
            Transcript.DataByLine(Transcript.Server, Transcript.Client, raw);
            return new WireResponse(lines[0], status, headers, Encoding.UTF8.GetString(raw, headEnd, length), raw);
        }, () => $"Bytes received so far: {Visible.Quoted(_pending.ToArray(), 300)}" + (context is null ? "" : "\n" + context()));

    /// <summary>Sends a request and reads its response.</summary>
    public async Task<WireResponse> ExchangeAsync(string request, string what, TimeSpan? bound = null, Func<string>? context = null)
    {
        await SendAsync(request);
        return await ReadResponseAsync(what, bound, request.StartsWith("HEAD ", StringComparison.Ordinal), context);
    }

    /// <summary>Waits for the server to close (FIN or RST), bounded; bytes that come first fail the wait.</summary>
    public async Task<PeerClose> WaitForCloseAsync(string what, TimeSpan? bound = null)
    {
        if (_pending.Count > 0)
            throw new ShouldAssertException($"{what}: expected the server to close, but it sent more bytes: {Visible.Quoted(_pending.ToArray(), 200)}");
        var close = await Socket.WaitForCloseAsync(bound, what, maxBytes: 0);
        Transcript.Event(Transcript.Server, close == PeerClose.Fin ? "closes the connection (FIN)" : "resets the connection (RST)");
        return close;
    }

    /// <summary>
    /// Takes the bytes received after the last response: after a 101 they
    /// belong to the new protocol (a WebSocket server may send a frame at once).
    /// </summary>
    public byte[] TakePending()
    {
        var bytes = _pending.ToArray();
        _pending.Clear();
        return bytes;
    }

    private async Task ReceiveMoreAsync(string what, CancellationToken cancellation)
    {
        int n = await Socket.ReceiveAsync(_buffer, SocketFlags.None, cancellation);
        if (n == 0)
            throw new EndOfStreamException(
                $"{what}: the server closed the connection before a complete response. Bytes received: {Visible.Quoted(_pending.ToArray(), 300)}");
        _pending.AddRange(_buffer.AsSpan(0, n).ToArray());
    }

    private int IndexOfHeadEnd()
    {
        for (int i = 3; i < _pending.Count; i++)
            if (_pending[i] == '\n' && _pending[i - 1] == '\r' && _pending[i - 2] == '\n' && _pending[i - 3] == '\r')
                return i + 1;
        return -1;
    }

    /// <summary>Closes the socket.</summary>
    public ValueTask DisposeAsync()
    {
        Socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
