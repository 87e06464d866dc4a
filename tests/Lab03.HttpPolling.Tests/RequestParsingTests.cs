using System.Text;

namespace Lab03.HttpPolling.Tests;

/// <summary>
/// The request parser, Sans-I/O (RFC 9112 §2-§6; notebook 03 §2): bytes in,
/// requests out, for any split of the stream.
/// </summary>
public class RequestParsingTests
{
    private const string Read = "Notebook 03 §2; RFC 9112 §3 (request line), §5 (field lines), §6.3 (message body length)";

    private static readonly string TwoRequests =
        "POST /messages HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n{\"text\":\"hello\"}" +
        "GET /messages?since=0 HTTP/1.1\r\nhost: test\r\nAccept: text/plain\r\naccept: application/json\r\n\r\n";

    [Fact, Graded(2, Hint = Read)]
    public void Parses_a_request_line_and_field_lines()
    {
        var (method, target, version) = HttpRequestParser.ParseRequestLine("GET /messages?since=3 HTTP/1.1");
        Check.Equal((method, target, version), ("GET", "/messages?since=3", HttpVersion.Version11),
            "step 1: method, target and version of \"GET /messages?since=3 HTTP/1.1\"", Read);
        Check.Equal(HttpRequestParser.ParseRequestLine("OPTIONS * HTTP/1.0").Target, "*", "step 1: the target of \"OPTIONS * HTTP/1.0\" (asterisk-form)", Read);
        Check.Equal(HttpRequestParser.ParseRequestLine("GET http://chat.example/messages?since=2 HTTP/1.1").Target, "/messages?since=2",
            "step 1: the target of \"GET http://chat.example/messages?since=2 HTTP/1.1\" (absolute-form, which a server MUST accept, RFC 9112 §3.2.2: keep its path and query)", Read);

        var headers = new HttpHeaders();
        HttpSyntax.ParseField("Content-Type:application/json", headers);
        HttpSyntax.ParseField("X-Padded: \t  spaced out \t", headers);
        HttpSyntax.ParseField("X-Empty:", headers);
        Check.Equal(headers.Get("content-type"), "application/json", "step 1: the value of \"Content-Type:application/json\" (no space after ':' is fine)", Read);
        Check.Equal(headers.Get("X-Padded"), "spaced out", "step 1: the value of \"X-Padded: \\t  spaced out \\t\" (spaces and tabs around a value are not part of it, RFC 9112 §5.1)", Read);
        Check.Equal(headers.Get("X-Empty"), "", "step 1: the value of \"X-Empty:\" (an empty value is allowed)", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public void Parses_the_request_line_the_fields_and_the_body()
    {
        var requests = Parse(Encoding.ASCII.GetBytes(TwoRequests), [TwoRequests.Length]);

        Check.Equal(requests.Count, 2, "step 1-2: requests parsed from a POST followed by a GET", Read);
        var post = requests[0];
        Check.Equal(post.Method, "POST", "step 1: the method of \"POST /messages HTTP/1.1\"", Read);
        Check.Equal(post.Target, "/messages", "step 1: the target", Read);
        Check.Equal(post.Version, HttpVersion.Version11, "step 1: the version", Read);
        Check.Equal(post.Headers.Get("content-type"), "application/json", "step 1: header Content-Type, asked for as content-type (names are case-insensitive, RFC 9110 §5.1)", Read);
        Check.Equal(Encoding.UTF8.GetString(post.Body), "{\"text\":\"hello\"}", "step 2: the body: Content-Length: 16 bytes after the empty line", Read);

        var get = requests[1];
        Check.Equal(get.Path, "/messages", "step 1: the GET's path", Read);
        Check.Equal(get.Query["since"], "0", "step 1: the GET's query since=", Read);
        Check.Equal(get.Headers.Get("Host"), "test", "step 1: the GET's Host, sent as \"host:\"", Read);
        Check.Equal(get.Headers.Get("Accept"), "text/plain, application/json",
            "step 1: a repeated field (Accept twice) read as one value joined with \", \" (RFC 9110 §5.3)", Read);
        Check.Equal(get.Body.Length, 0, "step 2: the GET's body (no Content-Length: no body)", Read);
    }

    [Fact, Graded(2, Hint = Read)]
    public void Parses_the_same_requests_whatever_the_split()
    {
        var bytes = Encoding.ASCII.GetBytes(TwoRequests);
        // One byte at a time, then every split in two pieces: the parser must
        // hold partial input and leave what follows a request for the next one.
        var splits = new List<int[]> { Enumerable.Repeat(1, bytes.Length).ToArray() };
        for (int cut = 1; cut < bytes.Length; cut++)
            splits.Add([cut, bytes.Length - cut]);

        foreach (var split in splits)
        {
            var requests = Parse(bytes, split);
            var where = split.Length > 2 ? "fed one byte at a time" : $"fed in two pieces cut after byte {split[0]} ({Visible.Quoted(bytes.AsSpan(Math.Max(0, split[0] - 12), Math.Min(12, split[0])))} | ...)";
            Check.Equal(requests.Count, 2, $"step 2: requests parsed from a POST and a GET {where}", Read + ". A read returns any number of bytes: keep what is incomplete (Lab 01 §6)");
            Check.Equal(Encoding.UTF8.GetString(requests[0].Body), "{\"text\":\"hello\"}", $"step 2: the POST's body {where}", Read);
            Check.Equal(requests[1].Target, "/messages?since=0", $"step 2: the GET's target {where}", Read);
        }
    }

    [Fact, Graded(1, Hint = Read)]
    public void Ignores_empty_lines_before_a_request_and_accepts_bare_LF()
    {
        var text = "\r\nGET / HTTP/1.1\nHost: test\n\n";
        var requests = Parse(Encoding.ASCII.GetBytes(text), [text.Length]);
        Check.Equal(requests.Count, 1, $"step 2: requests parsed from {Visible.Quoted(text)} (RFC 9112 §2.2: ignore a CRLF before the request line; a bare LF may end a line)", Read);
        Check.Equal(requests[0].Headers.Get("Host"), "test", "step 1: Host of a request whose lines end in a bare LF", Read);
    }

    private static readonly (string Request, string What)[] Malformed =
    [
        ("GET  / HTTP/1.1\r\nHost: t\r\n\r\n", "two spaces in the request line"),
        ("GET /\r\nHost: t\r\n\r\n", "a request line without a version"),
        ("G(ET / HTTP/1.1\r\nHost: t\r\n\r\n", "a method that is not a token"),
        ("GET messages HTTP/1.1\r\nHost: t\r\n\r\n", "a target without a leading '/'"),
        ("GET / HTTX/1.1\r\nHost: t\r\n\r\n", "a version that is not HTTP/d.d"),
        ("GET / HTTP/1.1\r\nHost t\r\n\r\n", "a field line without ':'"),
        ("GET / HTTP/1.1\r\nHost: t\r\nX\tY: v\r\n\r\n", "a tab inside a field name (not a token character)"),
        ("GET / HTTP/1.1\r\nHost: t\r\nX(A: b\r\n\r\n", "a '(' inside a field name (not a token character)"),
        ("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding\t: chunked\r\nContent-Length: 4\r\n\r\nabcd", "a tab before the colon of Transfer-Encoding (a smuggling trick: a proxy that trims it reads chunks, we would read 4 bytes)"),
        ("GET * HTTP/1.1\r\nHost: t\r\n\r\n", "the target * with GET (only OPTIONS may use it)"),
        ("GET / HTTP/1.1\r\nHost : t\r\n\r\n", "a space between the field name and ':' (RFC 9112 §5.1)"),
        ("GET / HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n  folded\r\n\r\n", "an obsolete folded line (RFC 9112 §5.2)"),
        ("GET / HTTP/1.1\r\nHost: t\r\nX-A: a\u0001b\r\n\r\n", "a control character in a field value (RFC 9110 §5.5)"),
        ("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", "an HTTP/1.1 request without Host (RFC 9112 §3.2)"),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "two Host fields (RFC 9112 §3.2)"),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: ten\r\n\r\n", "a Content-Length that is not a number"),
        ("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "two different Content-Lengths (request smuggling, RFC 9112 §6.3)"),
    ];

    [Fact, Graded(2, Hint = Read)]
    public void Rejects_each_malformed_request_as_malformed()
    {
        foreach (var (request, what) in Malformed)
        {
            var rejected = Rejection(request, what);
            Check.Equal(rejected.Error, RequestError.Malformed, $"steps 1-2: the error for {what}, {Visible.Quoted(request)}", Read);
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public void Enforces_the_size_limits_before_buffering_more()
    {
        var limits = new HttpLimits { MaxRequestLineLength = 100, MaxHeaderBytes = 200, MaxBodyLength = 50 };

        // The request line: rejected once it is known to be too long, before its CRLF.
        var longLine = "GET /" + new string('a', 150);
        Check.Equal(RejectionOf(Encoding.ASCII.GetBytes(longLine), limits, "a 155-byte request line with no CRLF yet")?.Error, RequestError.RequestLineTooLong,
            "step 2: the error for a request line over MaxRequestLineLength (100), before its CRLF has come", Read + "; RFC 9112 §3 (414)");

        var longHeaders = "GET / HTTP/1.1\r\nHost: t\r\nCookie: " + new string('c', 250);
        Check.Equal(RejectionOf(Encoding.ASCII.GetBytes(longHeaders), limits, "260 bytes of fields with no end yet")?.Error, RequestError.HeadersTooLarge,
            "step 2: the error for header fields over MaxHeaderBytes (200), before the empty line has come", Read + "; RFC 6585 §5 (431)");

        var bigBody = "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 51\r\n\r\n";
        Check.Equal(RejectionOf(Encoding.ASCII.GetBytes(bigBody), limits, "a head announcing 51 body bytes")?.Error, RequestError.BodyTooLarge,
            "step 2: the error for Content-Length over MaxBodyLength (50), decided from the head before any body byte", Read + "; RFC 9110 §15.5.14 (413)");

        Check.Equal(Rejection("GET / HTTP/2.0\r\nHost: t\r\n\r\n", "HTTP/2.0").Error, RequestError.UnsupportedVersion,
            "step 1: the error for \"GET / HTTP/2.0\"", Read + "; RFC 9110 §15.6.6 (505)");
        Check.Equal(Rejection("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", "chunked").Error, RequestError.UnsupportedTransferEncoding,
            "step 2: the error for Transfer-Encoding: chunked, which this server does not implement", Read + "; RFC 9112 §6.1 (501)");
    }

    /// <summary>Feeds <paramref name="bytes"/> in pieces of the given sizes, reading requests after each piece.</summary>
    private static List<HttpRequest> Parse(byte[] bytes, int[] pieces, HttpLimits? limits = null)
    {
        var parser = new HttpRequestParser(limits);
        var requests = new List<HttpRequest>();
        int offset = 0;
        foreach (int size in pieces)
        {
            parser.Feed(bytes.AsSpan(offset, size));
            offset += size;
            while (parser.TryRead(out var request))
                requests.Add(request);
        }
        return requests;
    }

    private static RequestRejectedException Rejection(string request, string what) =>
        RejectionOf(Encoding.Latin1.GetBytes(request), null, what)
        ?? throw new ShouldAssertException($"steps 1-2: {what}, {Visible.Quoted(request)}, was accepted: expected a RequestRejectedException.\n{Read}");

    private static RequestRejectedException? RejectionOf(byte[] bytes, HttpLimits? limits, string what)
    {
        try
        {
            var requests = Parse(bytes, [bytes.Length], limits);
            return requests.Count > 0
                ? throw new ShouldAssertException($"steps 1-2: {what} was accepted as {requests[0].Method} {requests[0].Target}: expected a RequestRejectedException.\n{Read}")
                : null;
        }
        catch (RequestRejectedException e)
        {
            return e;
        }
    }
}
