using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Lab01.SocketEcho;

namespace Lab03.HttpPolling;

/// <summary>
/// The client's side of <see cref="HttpRequestParser"/>: bytes in, responses
/// out (Sans-I/O), for any split of the stream.
/// </summary>
/// <remarks>
/// The client must tell the parser when a response can have no body whatever
/// its fields say: the answer to HEAD (RFC 9112 §6.3 rule 1). A response with
/// neither Content-Length nor chunking ends when the server closes
/// (rule 8): call <see cref="TryFinish"/> at end of stream.
/// </remarks>
public sealed class HttpResponseParser
{
    private readonly ByteBuffer _pending = new();
    private int _scanned;
    private Head? _head;

    /// <summary>Creates a parser that refuses heads over <paramref name="maxHeadBytes"/> bytes and bodies over <paramref name="maxBodyLength"/>.</summary>
    public HttpResponseParser(int maxHeadBytes = 64 * 1024, int maxBodyLength = 16 * 1024 * 1024)
    {
        MaxHeadBytes = maxHeadBytes;
        MaxBodyLength = maxBodyLength;
    }

    /// <summary>The largest head accepted.</summary>
    public int MaxHeadBytes { get; }

    /// <summary>The largest body accepted.</summary>
    public int MaxBodyLength { get; }

    /// <summary>Whether bytes of a response not complete yet are held.</summary>
    public bool HasPartialResponse => _head is not null || _pending.Count > 0;

    /// <summary>Adds received bytes.</summary>
    public void Feed(ReadOnlySpan<byte> data) => _pending.Append(data);

    /// <summary>
    /// Takes the bytes held after the last response: after a 101 they are the
    /// new protocol's (a WebSocket server may send a frame right after its
    /// handshake, in the same segment), so the parser hands them over.
    /// </summary>
    public byte[] TakeBuffered()
    {
        if (_head is not null)
            throw new InvalidOperationException("A response is half read: its bytes are not the next protocol's.");
        _scanned = 0;
        return _pending.TakeAll();
    }

    /// <summary>Takes the next complete response, if there is one.</summary>
    /// <param name="response">The response.</param>
    /// <param name="headRequest">The response answers a HEAD request: it has no body.</param>
    /// <exception cref="InvalidDataException">The bytes are not an HTTP/1.x response.</exception>
    public bool TryRead([NotNullWhen(true)] out ReceivedResponse? response, bool headRequest = false)
    {
        response = null;
        if (_head is null)
        {
            int headEnd = HttpSyntax.FindHeadEnd(_pending.Span, ref _scanned);
            if (headEnd < 0)
            {
                if (_pending.Count > MaxHeadBytes)
                    throw new InvalidDataException($"The response head is over {MaxHeadBytes} bytes and has not ended.");
                return false;
            }
            try
            {
                _head = ParseHead(_pending.Span[..headEnd], headRequest);
            }
            catch (RequestRejectedException e)
            {
                // The syntax helpers are shared with the server, which rejects
                // requests; to a client, a bad response is bad data.
                throw new InvalidDataException(e.Message, e);
            }
            _pending.Consume(headEnd);
            _scanned = 0;
        }
        if (_head.BodyLength is not { } length || _pending.Count < length)
            return false; // close-delimited (see TryFinish), or not all here yet
        response = Take(length);
        if (response.Status is >= 100 and < 200 and not 101)
        {
            // RFC 9110 §15.2: an interim response (100 Continue, 103 Early
            // Hints) comes before the final one: skip it and read on.
            return TryRead(out response, headRequest);
        }
        return true;
    }

    /// <summary>At end of stream: the close-delimited response that ends here, if one was being read.</summary>
    /// <exception cref="EndOfStreamException">The stream ended in the middle of a response.</exception>
    public bool TryFinish([NotNullWhen(true)] out ReceivedResponse? response)
    {
        response = null;
        if (_head is { BodyLength: null })
        {
            response = Take(_pending.Count);
            return true;
        }
        if (HasPartialResponse)
            throw new EndOfStreamException(_head is null
                ? $"The server closed the connection after {_pending.Count} bytes of a response head."
                : $"The server closed the connection after {_pending.Count} of {_head.BodyLength} body bytes.");
        return false;
    }

    private ReceivedResponse Take(int length)
    {
        var head = _head!;
        var body = _pending.Span[..length].ToArray();
        _pending.Consume(length);
        _head = null;
        return new ReceivedResponse(head.Version, head.Status, head.Reason, head.Headers, body, head.Length + length);
    }

    private Head ParseHead(ReadOnlySpan<byte> bytes, bool headRequest)
    {
        var lines = HttpSyntax.SplitLines(bytes);
        // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
        var parts = lines.Count == 0 ? [] : lines[0].Split(' ', 3);
        if (parts.Length < 2 || parts[1].Length != 3 || !parts[1].All(char.IsAsciiDigit))
            throw new InvalidDataException($"Not an HTTP status line: {HttpSyntax.Show(lines.FirstOrDefault() ?? "")} (expected e.g. \"HTTP/1.1 200 OK\").");
        var version = HttpSyntax.ParseVersion(parts[0]);
        int status = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var headers = new HttpHeaders();
        foreach (var line in lines.Skip(1))
            HttpSyntax.ParseField(line, headers);

        // RFC 9112 §6.3: no body after HEAD, 1xx, 204 and 304; else
        // Content-Length; else (no chunking here) the body runs to the close.
        long? length = headRequest || !HttpStatus.MayHaveBody(status) ? 0 : ContentLength(headers);
        if (length > MaxBodyLength)
            throw new InvalidDataException($"The response body would be {length} bytes; this client takes at most {MaxBodyLength}.");
        return new Head(version, status, parts.Length > 2 ? parts[2] : "", headers, (int?)length, bytes.Length);
    }

    private static long? ContentLength(HttpHeaders headers)
    {
        if (headers.Contains("Transfer-Encoding"))
            throw new InvalidDataException($"Transfer-Encoding: {headers.Get("Transfer-Encoding")} is not implemented by this client.");
        return HttpSyntax.ContentLength(headers);
    }

    private sealed record Head(Version Version, int Status, string Reason, HttpHeaders Headers, int? BodyLength, int Length);
}
