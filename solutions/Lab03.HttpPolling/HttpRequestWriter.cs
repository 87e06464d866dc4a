using System.Globalization;
using System.Text;

namespace Lab03.HttpPolling;

/// <summary>Writes a client's request as bytes (Sans-I/O), the mirror of <see cref="HttpRequestParser"/>.</summary>
public static class HttpRequestWriter
{
    /// <summary>
    /// <c>GET /messages?since=0 HTTP/1.1␍␊Host: 127.0.0.1:5000␍␊␍␊</c>, with the
    /// profile's fields after Host, and Content-Type and Content-Length when there is a body.
    /// </summary>
    public static byte[] Build(string method, string target, string host, RequestProfile profile,
        byte[]? body = null, string? contentType = null)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(host).Append("\r\n");
        foreach (var (name, value) in profile.Fields)
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (body is not null)
        {
            if (contentType is not null)
                head.Append("Content-Type: ").Append(contentType).Append("\r\n");
            head.Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
        head.Append("\r\n");
        var bytes = HttpSyntax.HeaderEncoding.GetBytes(head.ToString());
        return body is null ? bytes : [.. bytes, .. body];
    }
}
