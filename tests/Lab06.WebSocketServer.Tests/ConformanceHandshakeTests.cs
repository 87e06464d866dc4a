namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The opening handshake of the whole server, by raw bytes (RFC 6455 §4.2.1,
/// §4.4; Lab 04's rules, now behind Lab 06's server): a version other than
/// 13 is refused 426 with the version it speaks, a request without a key 400.
/// Lab 04's code, so no points here.
/// </summary>
public class ConformanceHandshakeTests
{
    private const string Read = "Notebook 04 §4; RFC 6455 §4.2.1 (the server's requirements), §4.4 (versions)";

    private static string Request(string host, string key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", string version = "13") =>
        $"GET /echo HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{key}Sec-WebSocket-Version: {version}\r\n\r\n";

    [Fact]
    public async Task A_handshake_with_version_8_is_refused_426_with_the_version_the_server_speaks()
    {
        await using var server = Conformance.Start();
        var head = await RawClient.ExchangeAsync(server.EndPoint, Request(server.EndPoint.ToString(), version: "8"), server.Context);
        Check.True(head.StartsWith("HTTP/1.1 426", StringComparison.Ordinal), $"The handshake with Sec-WebSocket-Version: 8: expected 426 Upgrade Required, got {Visible.Quoted(head.Split("\r\n")[0])}",
            Read + ". In Lab 06 the 503 check (step 13) runs first and must let other requests through.\n" + Visible.Escape(head));
        Check.True(head.Split("\r\n").Any(l => l.Replace(" ", "").Equals("Sec-WebSocket-Version:13", StringComparison.OrdinalIgnoreCase)),
            "The 426 must say which version the server speaks: Sec-WebSocket-Version: 13", Read + "\n" + Visible.Escape(head));
    }

    [Fact]
    public async Task A_handshake_without_a_key_is_refused_400()
    {
        await using var server = Conformance.Start();
        var head = await RawClient.ExchangeAsync(server.EndPoint, Request(server.EndPoint.ToString(), key: ""), server.Context);
        Check.True(head.StartsWith("HTTP/1.1 400", StringComparison.Ordinal), $"The handshake with no Sec-WebSocket-Key: expected 400 Bad Request, got {Visible.Quoted(head.Split("\r\n")[0])}",
            Read + "\n" + Visible.Escape(head));
    }
}
