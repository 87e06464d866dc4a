using System.Globalization;
using System.Text;

namespace Lab03.HttpPolling;

/// <summary>
/// Writes a response as bytes (Sans-I/O): status line, header fields, empty
/// line, body (RFC 9112 §2.1, §4).
/// </summary>
public static class HttpResponseWriter
{
    /// <summary>
    /// The bytes of <paramref name="response"/>:
    /// <code>
    /// HTTP/1.1 200 OK␍␊
    /// Date: Mon, 23 Nov 2026 10:00:00 GMT␍␊
    /// Content-Type: application/json␍␊
    /// Content-Length: 2␍␊
    /// ␍␊
    /// []
    /// </code>
    /// </summary>
    /// <param name="response">What to send.</param>
    /// <param name="date">Now: RFC 9110 §6.6.1, an origin server with a clock must send Date.</param>
    /// <param name="close">Whether the server closes the connection after this response: it says so with <c>Connection: close</c> (RFC 9112 §9.6).</param>
    /// <param name="headRequest">Answering HEAD: the same fields as for GET, no body (RFC 9110 §9.3.2).</param>
    public static byte[] Serialize(HttpResponse response, DateTimeOffset date, bool close, bool headRequest = false)
    {
        ArgumentNullException.ThrowIfNull(response);
        var head = new StringBuilder();
        // BEGIN SOLUTION
        head.Append("HTTP/1.1 ").Append(response.Status.ToString(CultureInfo.InvariantCulture))
            .Append(' ').Append(response.Reason).Append("\r\n");
        // IMF-fixdate, RFC 9110 §5.6.7: "Sun, 06 Nov 1994 08:49:37 GMT" (.NET's "R" format).
        head.Append("Date: ").Append(date.UtcDateTime.ToString("R", CultureInfo.InvariantCulture)).Append("\r\n");
        if (response.ContentType is not null)
            head.Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
        // Content-Length on every response, even 0: on a kept-alive connection
        // it is the only way the client knows where this response ends (RFC 9112 §6.3).
        // Except where a body cannot be: 1xx, 204, 304 (RFC 9110 §8.6 "MUST NOT").
        if (HttpStatus.MayHaveBody(response.Status))
            head.Append("Content-Length: ").Append(response.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        foreach (var (name, value) in response.Headers)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (close)
            head.Append("Connection: close\r\n");
        head.Append("\r\n");
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 03 · step 4: write the status line \"HTTP/1.1 {Status} {Reason}\\r\\n\", then Date (date.UtcDateTime.ToString(\"R\")), Content-Type when there is one, Content-Length always (even 0), every field of response.Headers, \"Connection: close\\r\\n\" when close, and the empty line \"\\r\\n\"; every line ends with CRLF. Notebook 03 §3, RFC 9112 §4 and §6.3.");

        var headBytes = HttpSyntax.HeaderEncoding.GetBytes(head.ToString());
        if (headRequest)
            return headBytes;
        var bytes = new byte[headBytes.Length + response.Body.Length];
        headBytes.CopyTo(bytes, 0);
        response.Body.CopyTo(bytes, headBytes.Length);
        return bytes;
    }
}
