using System.Collections.Specialized;
using System.Web;

namespace Lab03.HttpPolling;

/// <summary>
/// One parsed request: request line, header fields and body (RFC 9112 §2.1:
/// start-line, fields, empty line, optional body).
/// </summary>
/// <param name="Method">The method token, case-sensitive: "GET", "POST".</param>
/// <param name="Target">The request target as sent: "/messages?since=3".</param>
/// <param name="Version">1.0 or 1.1.</param>
/// <param name="Headers">The header fields, in order.</param>
/// <param name="Body">The body (Content-Length bytes), empty when there is none.</param>
public sealed record HttpRequest(string Method, string Target, Version Version, HttpHeaders Headers, byte[] Body)
{
    /// <summary>The target's path, before any '?': "/messages".</summary>
    public string Path => Target.IndexOf('?') is var q and >= 0 ? Target[..q] : Target;

    /// <summary>The query, after the '?', parsed and percent-decoded: <c>Query["since"]</c> is "3".</summary>
    public NameValueCollection Query =>
        HttpUtility.ParseQueryString(Target.IndexOf('?') is var q and >= 0 ? Target[(q + 1)..] : "");

    /// <summary>
    /// Whether the connection stays open after the response: HTTP/1.1 keeps
    /// it unless <c>Connection: close</c> (RFC 9112 §9.3). An HTTP/1.0 client
    /// may ask for keep-alive, but then expects <c>Connection: keep-alive</c>
    /// in the response (RFC 9112 §C.2.2); this server keeps it simple and
    /// closes every HTTP/1.0 connection after one response.
    /// </summary>
    public bool KeepAlive => Version >= HttpVersion.Version11 && !Headers.HasToken("Connection", "close");

    /// <summary>Bytes the request took on the wire: head (request line, fields, empty line) and body.</summary>
    public int WireLength { get; init; }

    /// <summary>Whether the response must carry no body (HEAD, RFC 9110 §9.3.2).</summary>
    public bool IsHead => Method == "HEAD";
}
