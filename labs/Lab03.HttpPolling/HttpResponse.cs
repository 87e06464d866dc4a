using System.Text;

namespace Lab03.HttpPolling;

/// <summary>
/// A response as the application builds it: status, a body with its media
/// type, and any extra header fields (such as <c>Allow</c>). The server adds
/// the framing fields (Date, Content-Length, Connection) when it writes it.
/// </summary>
public sealed class HttpResponse
{
    /// <summary>A response with <paramref name="status"/> and an optional body.</summary>
    public HttpResponse(int status, byte[]? body = null, string? contentType = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        if (!HttpStatus.MayHaveBody(status) && body is { Length: > 0 })
            throw new ArgumentException($"A {status} response has no body (RFC 9110 §6.4.1).", nameof(body));
        Status = status;
        Body = body ?? [];
        ContentType = contentType;
    }

    /// <summary>The status code: 200, 404...</summary>
    public int Status { get; }

    /// <summary>The reason phrase for the status line.</summary>
    public string Reason => HttpStatus.ReasonPhrase(Status);

    /// <summary>The body's bytes.</summary>
    public byte[] Body { get; }

    /// <summary>The media type of the body, for Content-Type; null when there is no body.</summary>
    public string? ContentType { get; }

    /// <summary>Header fields besides the framing ones: <c>Allow: GET, POST</c>.</summary>
    public HttpHeaders Headers { get; } = new();

    /// <summary>
    /// For a 101 response only: what runs on the connection once the response
    /// is sent (the new protocol). Null for every other response.
    /// </summary>
    public UpgradeHandler? Upgrade { get; private init; }

    /// <summary>A text/plain response in UTF-8; the text gets a final newline, for curl.</summary>
    public static HttpResponse Text(int status, string text) =>
        new(status, Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n"), "text/plain; charset=utf-8");

    /// <summary>An application/json response (JSON is UTF-8, RFC 8259 §8.1).</summary>
    public static HttpResponse Json(int status, string json) =>
        new(status, Encoding.UTF8.GetBytes(json), "application/json");

    /// <summary>
    /// 101 Switching Protocols to <paramref name="protocol"/> (RFC 9110 §15.2.2):
    /// with <c>Upgrade: protocol</c> and <c>Connection: Upgrade</c> (§7.8), after
    /// which <paramref name="then"/> runs on the connection. Add the new
    /// protocol's own fields (e.g. Sec-WebSocket-Accept) to <see cref="Headers"/>.
    /// </summary>
    public static HttpResponse SwitchingProtocols(string protocol, UpgradeHandler then)
    {
        ArgumentNullException.ThrowIfNull(then);
        var response = new HttpResponse(HttpStatus.SwitchingProtocols) { Upgrade = then };
        response.Headers.Add("Upgrade", protocol);
        // Upgrade is hop-by-hop: Connection names it, so that a proxy does not forward it (RFC 9110 §7.6.1).
        response.Headers.Add("Connection", "Upgrade");
        return response;
    }

    /// <summary>The response to a rejected request: its status and, in the body, why.</summary>
    public static HttpResponse For(RequestRejectedException rejected) =>
        Text(rejected.Status, $"{rejected.Status} {HttpStatus.ReasonPhrase(rejected.Status)}: {rejected.Message}");
}
