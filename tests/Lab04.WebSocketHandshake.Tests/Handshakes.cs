using System.Security.Cryptography;
using System.Text;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// Handshake requests and responses as the tests write them (every line ends
/// with CRLF, the head with an empty line), and the test's own computation of
/// Sec-WebSocket-Accept, independent of the lab's.
/// </summary>
internal static class Handshakes
{
    /// <summary>The key of RFC 6455 §1.3 and §4.2.2...</summary>
    public const string RfcKey = "dGhlIHNhbXBsZSBub25jZQ==";

    /// <summary>...and the accept the RFC gives for it.</summary>
    public const string RfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /// <summary>RFC 6455 §1.3's GUID, written out here rather than read from the lab.</summary>
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>base64(SHA-1(key + GUID)), computed by the test.</summary>
    public static string AcceptFor(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + Guid)));

    /// <summary>
    /// A handshake request: the RFC's example by default. A null argument
    /// leaves its field out; <paramref name="extra"/> lines are added as they are.
    /// </summary>
    public static string Request(
        string host = "test", string target = "/echo", string method = "GET", string version = "HTTP/1.1",
        string? upgrade = "websocket", string? connection = "Upgrade", string? key = RfcKey, string? wsVersion = "13",
        params string[] extra)
    {
        var text = new StringBuilder($"{method} {target} {version}\r\nHost: {host}\r\n");
        if (upgrade is not null)
            text.Append($"Upgrade: {upgrade}\r\n");
        if (connection is not null)
            text.Append($"Connection: {connection}\r\n");
        if (key is not null)
            text.Append($"Sec-WebSocket-Key: {key}\r\n");
        if (wsVersion is not null)
            text.Append($"Sec-WebSocket-Version: {wsVersion}\r\n");
        foreach (var line in extra)
            text.Append(line).Append("\r\n");
        return text.Append("\r\n").ToString();
    }

    /// <summary>The request as the lab's server would see it: parsed by the Lab 03 parser (given code for this lab).</summary>
    public static HttpRequest Parse(string request)
    {
        var parser = new HttpRequestParser();
        parser.Feed(HttpSyntax.HeaderEncoding.GetBytes(request));
        if (!parser.TryRead(out var parsed))
            throw new InvalidOperationException($"Test bug: {Visible.Quoted(request)} is not a complete request.");
        return parsed;
    }

    /// <summary>A response's bytes read by the Lab 03 response parser, as <see cref="HandshakeClient"/> reads them.</summary>
    public static ReceivedResponse ParseResponse(string response)
    {
        var parser = new HttpResponseParser();
        parser.Feed(HttpSyntax.HeaderEncoding.GetBytes(response));
        if (!parser.TryRead(out var parsed))
            throw new InvalidOperationException($"Test bug: {Visible.Quoted(response)} is not a complete response.");
        return parsed;
    }

    /// <summary>How to send <paramref name="request"/> by hand, for failure messages.</summary>
    public static string ByHand(string request) =>
        "By hand: dotnet run --project labs/Lab04.WebSocketHandshake -- --port 8080, then in another terminal " +
        $"printf '{request.Replace("\r", "\\r").Replace("\n", "\\n").Replace("'", "'\\''")}' | nc 127.0.0.1 8080";

    /// <summary>The response, and the server's log when it is a 500 (the log names the exception the handler threw).</summary>
    public static string Explain(WireResponse response, Func<string> story) =>
        response.Status == 500 ? $"{response}\nA 500 means the handshake code threw; the server's log says what:\n{story()}" : response.ToString();
}
