using System.Diagnostics.CodeAnalysis;
using Lab01.SocketEcho;

namespace Lab03.HttpPolling;

/// <summary>
/// Turns the bytes of a connection into requests, whatever pieces they come
/// in (Sans-I/O: no socket here). Feed it every chunk received, then take
/// every complete request with <see cref="TryRead"/>.
/// </summary>
/// <remarks>
/// <para>A request may arrive split over many reads (one byte at a time, even),
/// and several requests may arrive in one read (pipelining, RFC 9112 §9.3.2):
/// the parser holds what is incomplete, and leaves what follows a request for
/// the next call.</para>
/// <para>Limits are checked as soon as they can be known to be broken: a request
/// line over the limit fails before its CRLF arrives, a body over the limit
/// fails on its Content-Length, before a byte of it is buffered.</para>
/// <para>After a <see cref="RequestRejectedException"/> the connection's byte
/// stream can no longer be trusted: answer the error and close.</para>
/// </remarks>
public sealed class HttpRequestParser
{
    private readonly ByteBuffer _pending = new();
    private int _scanned;
    private RequestHead? _head;

    /// <summary>Creates a parser with <paramref name="limits"/> (the defaults when null).</summary>
    public HttpRequestParser(HttpLimits? limits = null) => Limits = limits ?? HttpLimits.Default;

    /// <summary>The limits checked.</summary>
    public HttpLimits Limits { get; }

    /// <summary>Bytes held: the start of a request not complete yet.</summary>
    public int BufferedByteCount => _pending.Count;

    /// <summary>Whether part of a request has arrived: the server's request timeout is running.</summary>
    public bool HasPartialRequest => _head is not null || _pending.Count > 0;

    /// <summary>Requests parsed so far.</summary>
    public long RequestCount { get; private set; }

    /// <summary>Adds received bytes. Nothing is parsed until <see cref="TryRead"/>.</summary>
    public void Feed(ReadOnlySpan<byte> data) => _pending.Append(data);

    /// <summary>
    /// Takes the bytes held after the last request: after a 101 they belong
    /// to the new protocol, not to HTTP (RFC 9110 §7.8), so the parser hands
    /// them over and holds nothing more.
    /// </summary>
    public byte[] TakeBuffered()
    {
        if (_head is not null)
            throw new InvalidOperationException("A request is half read: its bytes are not the next protocol's.");
        _scanned = 0;
        return _pending.TakeAll();
    }

    /// <summary>
    /// Takes the next complete request, if the bytes fed so far hold one.
    /// Call it again until it returns false: one read may hold several requests.
    /// </summary>
    /// <exception cref="RequestRejectedException">The bytes are not an acceptable request; <c>Status</c> says how to answer.</exception>
    public bool TryRead([NotNullWhen(true)] out HttpRequest? request)
    {
        request = null;
        // BEGIN SOLUTION
        if (_head is null)
        {
            SkipEmptyLinesBeforeRequest();
            int headEnd = HttpSyntax.FindHeadEnd(_pending.Span, ref _scanned);
            if (headEnd < 0)
            {
                CheckIncompleteHead(_pending.Span);
                return false;
            }
            _head = ParseHead(_pending.Span[..headEnd]);
            _pending.Consume(headEnd);
            _scanned = 0;
        }

        // RFC 9112 §6.3: with Content-Length, the body is exactly that many
        // bytes; a request without it has no body. What follows belongs to the
        // next request (pipelining).
        if (_pending.Count < _head.BodyLength)
            return false;
        var body = _pending.Span[.._head.BodyLength].ToArray();
        _pending.Consume(_head.BodyLength);
        request = new HttpRequest(_head.Method, _head.Target, _head.Version, _head.Headers, body) { WireLength = _head.HeadLength + body.Length };
        _head = null;
        RequestCount++;
        return true;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 03 · step 2: frame one request: if _head is null, SkipEmptyLinesBeforeRequest(), find the end of the head (HttpSyntax.FindHeadEnd(_pending.Span, ref _scanned)); not there yet: CheckIncompleteHead(_pending.Span) and return false; else _head = ParseHead(the head bytes), Consume them, _scanned = 0. Then wait for _head.BodyLength body bytes (return false until they are all there), build the HttpRequest, Consume the body, set _head = null and RequestCount++. Bytes after it stay for the next call (pipelining). Notebook 03 §2, RFC 9112 §6.3.");
    }

    /// <summary>
    /// Parses a complete head: request line, then header fields (RFC 9112 §3),
    /// and decides the body length.
    /// </summary>
    private RequestHead ParseHead(ReadOnlySpan<byte> head)
    {
        var lines = HttpSyntax.SplitLines(head);
        if (lines[0].Length > Limits.MaxRequestLineLength)
            throw RequestLineTooLong(lines[0].Length);
        var (method, target, version) = ParseRequestLine(lines[0]);

        if (head.Length - lines[0].Length > Limits.MaxHeaderBytes + 4 || lines.Count - 1 > Limits.MaxHeaderCount)
            throw HeadersTooLarge(head.Length - lines[0].Length, lines.Count - 1);
        var headers = new HttpHeaders();
        foreach (var line in lines.Skip(1))
            HttpSyntax.ParseField(line, headers);

        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status
        // code to any HTTP/1.1 request message that lacks a Host header field
        // and to any request message that contains more than one Host header field".
        int hosts = headers.GetAll("Host").Count;
        if (hosts > 1 || (hosts == 0 && version >= HttpVersion.Version11))
            throw HttpSyntax.Malformed(hosts == 0
                ? "An HTTP/1.1 request needs a Host header (RFC 9112 §3.2)."
                : $"The request has {hosts} Host headers; exactly one is allowed (RFC 9112 §3.2).");

        // Bodies in chunks (Transfer-Encoding: chunked) are not implemented in
        // this lab; RFC 9112 §6.1 has the server answer 501 for a transfer
        // coding it does not implement. Clients here always send Content-Length.
        if (headers.Contains("Transfer-Encoding"))
            throw new RequestRejectedException(RequestError.UnsupportedTransferEncoding,
                $"Transfer-Encoding: {headers.Get("Transfer-Encoding")} is not implemented by this server; send the body with Content-Length.");

        long length = HttpSyntax.ContentLength(headers) ?? 0;
        if (length > Limits.MaxBodyLength)
            throw new RequestRejectedException(RequestError.BodyTooLarge,
                $"The body would be {length} bytes; this server takes at most {Limits.MaxBodyLength}.");
        return new RequestHead(method, target, version, headers, (int)length, head.Length);
    }

    /// <summary>
    /// Parses <c>method SP request-target SP HTTP-version</c> (RFC 9112 §3):
    /// single spaces, a token for the method, a target in origin form
    /// ("/path?query"), absolute form ("http://host/path", returned as its
    /// path and query) or "*" (OPTIONS only), and HTTP/1.0 or HTTP/1.1.
    /// </summary>
    public static (string Method, string Target, Version Version) ParseRequestLine(string line)
    {
        // BEGIN SOLUTION
        var parts = line.Split(' ');
        if (parts.Length != 3)
            throw HttpSyntax.Malformed(
                $"The request line {HttpSyntax.Show(line)} should be three parts separated by single spaces: method target version, as in \"GET /messages HTTP/1.1\" (RFC 9112 §3).");
        var (method, target, versionText) = (parts[0], parts[1], parts[2]);
        if (!HttpSyntax.IsToken(method))
            throw HttpSyntax.Malformed($"The method {HttpSyntax.Show(method)} is not a token (RFC 9110 §9.1).");
        if (target.Any(c => c <= ' ' || c >= 0x7f))
            throw HttpSyntax.Malformed($"The target {HttpSyntax.Show(target)} holds a space or a control character (RFC 9112 §3.2).");
        // RFC 9112 §3.2.2: "a server MUST accept the absolute-form in requests"
        // (http://host/path, as sent to proxies): keep its path and query.
        if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            target = absolute.PathAndQuery;
        else if (!(target.StartsWith('/') || (target == "*" && method == "OPTIONS")))
            throw HttpSyntax.Malformed(
                $"The target {HttpSyntax.Show(target)} should be a path starting with '/', as in /messages?since=0 (origin-form, RFC 9112 §3.2.1).");
        return (method, target, HttpSyntax.ParseVersion(versionText));
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 03 · step 1: split the line at single spaces into exactly 3 parts (else throw HttpSyntax.Malformed(...)): the method must be a token (HttpSyntax.IsToken), the target must hold no spaces or control characters and start with '/' (or be \"*\" for OPTIONS; an absolute http:// URI becomes its PathAndQuery), and the version goes through HttpSyntax.ParseVersion. Notebook 03 §2, RFC 9112 §3.");
    }

    /// <summary>RFC 9112 §2.2: a server "SHOULD ignore at least one empty line (CRLF) received prior to the request-line".</summary>
    private void SkipEmptyLinesBeforeRequest()
    {
        var span = _pending.Span;
        int skip = 0;
        while (true)
        {
            if (span[skip..].StartsWith("\r\n"u8))
                skip += 2;
            else if (span[skip..].StartsWith("\n"u8))
                skip += 1;
            else
                break;
        }
        if (skip > 0)
        {
            _pending.Consume(skip);
            _scanned = 0;
        }
    }

    /// <summary>
    /// Checks the limits on a head that has not ended yet, so that a client
    /// cannot make us buffer without bound by never sending the empty line.
    /// </summary>
    private void CheckIncompleteHead(ReadOnlySpan<byte> partial)
    {
        int firstNewline = partial.IndexOf((byte)'\n');
        int requestLine = firstNewline < 0 ? partial.Length : firstNewline;
        // +1: the line's '\r' may be there already, waiting for its '\n'.
        if (requestLine > Limits.MaxRequestLineLength + 1)
            throw RequestLineTooLong(requestLine);
        if (firstNewline >= 0 && partial.Length - firstNewline - 1 > Limits.MaxHeaderBytes + 4)
            throw HeadersTooLarge(partial.Length - firstNewline - 1, partial[(firstNewline + 1)..].Count((byte)'\n'));
    }

    private RequestRejectedException RequestLineTooLong(int length) => new(RequestError.RequestLineTooLong,
        $"The request line is {length}+ bytes long; this server takes at most {Limits.MaxRequestLineLength} (a long query string?).");

    private RequestRejectedException HeadersTooLarge(int bytes, int count) => new(RequestError.HeadersTooLarge,
        $"The header fields are {bytes} bytes in {count} lines; this server takes at most {Limits.MaxHeaderBytes} bytes and {Limits.MaxHeaderCount} fields.");

    /// <summary>A parsed head whose body has not all arrived yet.</summary>
    private sealed record RequestHead(string Method, string Target, Version Version, HttpHeaders Headers, int BodyLength, int HeadLength);
}
