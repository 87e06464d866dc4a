using System.Text;

namespace Lab03.HttpPolling;

/// <summary>A response as a client received it.</summary>
/// <param name="Version">The server's HTTP version.</param>
/// <param name="Status">The status code.</param>
/// <param name="Reason">The reason phrase, for humans only.</param>
/// <param name="Headers">The header fields, in order.</param>
/// <param name="Body">The body.</param>
/// <param name="WireLength">Bytes it took on the wire: head and body.</param>
public sealed record ReceivedResponse(Version Version, int Status, string Reason, HttpHeaders Headers, byte[] Body, int WireLength)
{
    /// <summary>The body decoded as UTF-8.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>Whether the server keeps the connection open for another request (RFC 9112 §9.3).</summary>
    public bool KeepAlive => Version >= HttpVersion.Version11
        ? !Headers.HasToken("Connection", "close")
        : Headers.HasToken("Connection", "keep-alive");
}
