namespace Lab03.HttpPolling.Tests;

/// <summary>Requests as the tests write them: every line ends with CRLF, the head with an empty line.</summary>
internal static class Requests
{
    public static string Get(string target, params string[] fields) => Bodiless("GET", target, fields);

    /// <summary>A request with no body: request line, Host, the fields, the empty line.</summary>
    public static string Bodiless(string method, string target, params string[] fields) =>
        $"{method} {target} HTTP/1.1\r\nHost: test\r\n" + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n";

    public static string Post(string target, string json, params string[] fields) =>
        $"POST {target} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {System.Text.Encoding.UTF8.GetByteCount(json)}\r\n"
        + string.Concat(fields.Select(f => f + "\r\n")) + "\r\n" + json;

    /// <summary>How to send <paramref name="request"/> by hand, for failure messages.</summary>
    public static string ByHand(string request) =>
        "By hand: dotnet run --project labs/Lab03.HttpPolling -- --port 8080, then in another terminal " +
        $"printf '{request.Replace("\r", "\\r").Replace("\n", "\\n").Replace("'", "'\\''")}' | nc 127.0.0.1 8080";
}
