using System.Diagnostics;
using System.Text;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// The client's side (RFC 6455 §4.1; notebook 04 §7): the request's bytes,
/// fresh keys, and the checks of the server's answer, Sans-I/O; then
/// <see cref="HandshakeClient"/> against scripted servers.
/// </summary>
public class ClientHandshakeTests
{
    private const string ReadRequest = "Notebook 04 §7; RFC 6455 §4.1 (the client's requirements, items 1-12)";
    private const string ReadValidate = "Notebook 04 §7; RFC 6455 §4.1 (the checks of the server's response, items 1-6)";

    /// <summary>The test's own reading of a request head: the request line and the fields, names in lower case.</summary>
    private static (string RequestLine, List<(string Name, string Value)> Fields) ReadHead(byte[] bytes)
    {
        var text = Encoding.Latin1.GetString(bytes);
        Check.True(text.EndsWith("\r\n\r\n", StringComparison.Ordinal),
            $"step 8: the request should end with an empty line (\"\\r\\n\\r\\n\"); it is {Visible.Quoted(bytes)}", ReadRequest);
        var lines = text[..^4].Split("\r\n");
        Check.True(lines.All(l => !l.Contains('\n') && !l.Contains('\r')), $"step 8: every line must end with CRLF, never a bare LF or CR: {Visible.Quoted(bytes)}", ReadRequest);
        var fields = new List<(string, string)>();
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            Check.True(colon > 0, $"step 8: the request line {Visible.Quoted(line)} is not \"Name: value\"", ReadRequest);
            fields.Add((line[..colon].ToLowerInvariant(), line[(colon + 1)..].Trim()));
        }
        return (lines[0], fields);
    }

    private static string? Field(List<(string Name, string Value)> fields, string name, byte[] request)
    {
        var values = fields.Where(f => f.Name == name.ToLowerInvariant()).Select(f => f.Value).ToList();
        Check.True(values.Count <= 1, $"step 8: the request has {values.Count} {name} fields, expected at most one: {Visible.Quoted(request)}", ReadRequest);
        return values.SingleOrDefault();
    }

    [Fact, Graded(2, Hint = ReadRequest)]
    public void Builds_a_request_with_every_required_field()
    {
        var handshake = new ClientHandshake(new Uri("ws://127.0.0.1:8080/chat?room=1"), new ClientHandshakeOptions
        {
            Subprotocols = ["chat", "superchat"],
            Extensions = [new ExtensionOffer("permessage-deflate", [new ExtensionParameter("client_max_window_bits")])],
            Origin = "http://example.com",
        });
        var bytes = handshake.BuildRequest();
        var (requestLine, fields) = ReadHead(bytes);
        string Shown() => Visible.Quoted(bytes);

        Check.Equal(requestLine, "GET /chat?room=1 HTTP/1.1", $"step 8: the request line for ws://127.0.0.1:8080/chat?room=1 (path and query; the request: {Shown()})", ReadRequest + " items 1-2");
        Check.Equal(Field(fields, "Host", bytes), "127.0.0.1:8080", $"step 8: the Host field (host and port; the request: {Shown()})", ReadRequest + " item 4");
        Check.True(Field(fields, "Upgrade", bytes)?.Equals("websocket", StringComparison.OrdinalIgnoreCase) == true, $"step 8: the request needs Upgrade: websocket: {Shown()}", ReadRequest + " item 5");
        Check.True(Field(fields, "Connection", bytes)?.Split(',').Any(t => t.Trim().Equals("Upgrade", StringComparison.OrdinalIgnoreCase)) == true, $"step 8: the request needs Connection: Upgrade: {Shown()}", ReadRequest + " item 6");
        Check.Equal(Field(fields, "Sec-WebSocket-Key", bytes), handshake.Key, $"step 8: the Sec-WebSocket-Key field (handshake.Key; the request: {Shown()})", ReadRequest + " item 7");
        Check.Equal(Field(fields, "Sec-WebSocket-Version", bytes), "13", $"step 8: the Sec-WebSocket-Version field (the request: {Shown()})", ReadRequest + " item 9");
        Check.Equal(string.Join("|", (Field(fields, "Sec-WebSocket-Protocol", bytes) ?? "").Split(',').Select(p => p.Trim())), "chat|superchat",
            $"step 8: the offers in the Sec-WebSocket-Protocol field, in order, comma-separated (the request: {Shown()})", ReadRequest + " item 10");
        Check.Equal(Field(fields, "Sec-WebSocket-Extensions", bytes), "permessage-deflate; client_max_window_bits", $"step 8: the Sec-WebSocket-Extensions field (the request: {Shown()})", ReadRequest + " item 11");
        Check.Equal(Field(fields, "Origin", bytes), "http://example.com", $"step 8: the Origin field (the request: {Shown()})", ReadRequest + " item 8");

        var plain = new ClientHandshake(new Uri("ws://example.com"));
        var plainBytes = plain.BuildRequest();
        var (plainLine, plainFields) = ReadHead(plainBytes);
        Check.Equal(plainLine, "GET / HTTP/1.1", $"step 8: the request line for ws://example.com (no path: \"/\"; the request: {Visible.Quoted(plainBytes)})", ReadRequest + " item 2");
        Check.Equal(Field(plainFields, "Host", plainBytes), "example.com", $"step 8: the Host field for ws://example.com (port 80 is the default: left out; the request: {Visible.Quoted(plainBytes)})", ReadRequest + " item 4");
        foreach (var absent in new[] { "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Origin" })
            Check.Equal(Field(plainFields, absent, plainBytes), null, $"step 8: the {absent} field when nothing of the kind is set (leave it out; the request: {Visible.Quoted(plainBytes)})", ReadRequest);
    }

    [Fact, Graded(1, Hint = ReadRequest + " item 7; RFC 4086 (randomness)")]
    public void Keys_are_fresh_and_decode_to_16_bytes()
    {
        var keys = new HashSet<string>();
        for (int i = 0; i < 100; i++)
        {
            var key = WebSocketKey.Generate();
            byte[] nonce;
            try
            {
                nonce = Convert.FromBase64String(key);
            }
            catch (FormatException)
            {
                Check.Fail($"step 8: WebSocketKey.Generate() gave {Visible.Quoted(key)}, which is not base64", ReadRequest + " item 7");
                return;
            }
            Check.Equal(nonce.Length, 16, $"step 8: bytes in the base64 key {Visible.Quoted(key)} from WebSocketKey.Generate()", ReadRequest + " item 7");
            Check.Equal(key, Convert.ToBase64String(nonce), "step 8: a key must be plain base64 of its 16 bytes (24 characters ending in \"==\")", ReadRequest + " item 7");
            Check.True(keys.Add(key), $"step 8: WebSocketKey.Generate() gave {key} twice in 100 calls; each handshake needs a fresh random nonce", ReadRequest + " item 7");
        }
        var url = new Uri("ws://127.0.0.1:8080/echo");
        var first = new ClientHandshake(url);
        var second = new ClientHandshake(url);
        Check.True(first.Key != second.Key, $"step 8: two ClientHandshake instances have the same key {first.Key}; every handshake needs a fresh one", ReadRequest + " item 7");
        Check.Equal(Convert.FromBase64String(first.Key).Length, 16, "step 8: bytes in a ClientHandshake's key", ReadRequest + " item 7");
    }

    private static string SwitchingProtocols(string accept, params string[] extra) =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Accept: {accept}\r\n" + string.Concat(extra.Select(f => f + "\r\n")) + "\r\n";

    [Fact, Graded(2, Hint = ReadValidate)]
    public void Validate_refuses_each_broken_response_with_its_failure()
    {
        var options = new ClientHandshakeOptions
        {
            Subprotocols = ["chat"],
            Extensions = [new ExtensionOffer("permessage-deflate")],
        };
        var handshake = new ClientHandshake(new Uri("ws://127.0.0.1:8080/echo"), options);
        string accept = Handshakes.AcceptFor(handshake.Key);
        RequireStep1(handshake);
        string head = "HTTP/1.1 101 Switching Protocols\r\n";
        var cases = new (string Response, HandshakeFailure Failure, string What)[]
        {
            ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello", HandshakeFailure.NotSwitchingProtocols, "a 200 from a plain HTTP server"),
            ("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", HandshakeFailure.NotSwitchingProtocols, "a 403"),
            ($"{head}Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", HandshakeFailure.MissingUpgrade, "a 101 without Upgrade"),
            ($"{head}Upgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", HandshakeFailure.MissingUpgrade, "a 101 with Upgrade: h2c"),
            ($"{head}Upgrade: websocket\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", HandshakeFailure.MissingConnectionUpgrade, "a 101 without Connection"),
            ($"{head}Upgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", HandshakeFailure.MissingConnectionUpgrade, "a 101 with Connection: keep-alive"),
            ($"{head}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n", HandshakeFailure.MissingAccept, "a 101 without Sec-WebSocket-Accept"),
            (SwitchingProtocols(Handshakes.RfcAccept), HandshakeFailure.IncorrectAccept, "a 101 whose accept is for another key (the RFC's)"),
            (SwitchingProtocols(Handshakes.AcceptFor(handshake.Key + " ")), HandshakeFailure.IncorrectAccept, "a 101 whose accept is for the key plus a space"),
            (SwitchingProtocols(accept.Any(char.IsAsciiLetterUpper) ? accept.ToLowerInvariant() : accept.ToUpperInvariant()), HandshakeFailure.IncorrectAccept, "a 101 whose accept differs only in case (base64 is case-sensitive)"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Protocol: superchat"), HandshakeFailure.UnofferedSubprotocol, "a 101 choosing superchat, which was not offered"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Protocol: chat, superchat"), HandshakeFailure.UnofferedSubprotocol, "a 101 naming two subprotocols"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Protocol: Chat"), HandshakeFailure.UnofferedSubprotocol, "a 101 choosing Chat (chat was offered; names are case-sensitive)"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Extensions: x-webkit-deflate-frame"), HandshakeFailure.UnofferedExtension, "a 101 accepting an extension that was not offered"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Extensions: permessage-deflate, x-webkit-deflate-frame"), HandshakeFailure.UnofferedExtension, "a 101 accepting the offered extension and then one that was not (check every one)"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Extensions: permessage-deflate;"), HandshakeFailure.MalformedResponse, "a 101 whose Sec-WebSocket-Extensions is malformed (parse it with ExtensionOffers.Parse)"),
            ($"{head}Upgrade: websocketx\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", HandshakeFailure.MissingUpgrade, "a 101 with Upgrade: websocketx (a list of tokens, not a substring)"),
            ($"{head}Upgrade: websocket\r\nConnection: keep-alive, Upgraded\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", HandshakeFailure.MissingConnectionUpgrade, "a 101 with Connection: keep-alive, Upgraded (a list of tokens, not a substring)"),
            (SwitchingProtocols(accept + "x"), HandshakeFailure.IncorrectAccept, "a 101 whose accept has one character too many (compare the whole value)"),
            ($"HTTP/1.1 200 Switching Protocols\r\nContent-Length: 0\r\n\r\n", HandshakeFailure.NotSwitchingProtocols, "a 200 whose reason phrase says Switching Protocols (the status decides, not the phrase)"),
        };
        foreach (var (text, failure, what) in cases)
        {
            var error = ExpectFailure(handshake, text, what);
            Check.Equal(error.Failure, failure, $"step 9: the HandshakeFailure for {what}", $"{ReadValidate}. The response: {Visible.Quoted(text)}; the message was: {error.Message}");
            if (failure == HandshakeFailure.NotSwitchingProtocols)
                Check.True(error.Message.Contains(text.Substring(9, 3), StringComparison.Ordinal),
                    $"step 9: the message for {what} should say which status came ({text.Substring(9, 3)}); it is {Visible.Quoted(error.Message)}", ReadValidate);
            if (failure == HandshakeFailure.IncorrectAccept)
                Check.True(error.Message.StartsWith("Incorrect 'Sec-WebSocket-Accept' header value", StringComparison.Ordinal),
                    $"step 9: the message for {what} should start with \"Incorrect 'Sec-WebSocket-Accept' header value\", as browsers say it; it is {Visible.Quoted(error.Message)}", ReadValidate);
        }

        var none = new ClientHandshake(new Uri("ws://127.0.0.1:8080/echo"));
        var unasked = ExpectFailure(none, SwitchingProtocols(Handshakes.AcceptFor(none.Key), "Sec-WebSocket-Protocol: chat"), "a 101 choosing chat when no subprotocol was offered");
        Check.Equal(unasked.Failure, HandshakeFailure.UnofferedSubprotocol, "step 9: the HandshakeFailure for a 101 choosing chat when the client offered none", ReadValidate);
    }

    /// <summary>Validate compares with ExpectedAccept, which is step 1's: a wrong step 1 would look like a step 9 bug.</summary>
    private static void RequireStep1(ClientHandshake handshake) =>
        Check.Equal(handshake.ExpectedAccept, Handshakes.AcceptFor(handshake.Key),
            $"step 1 first: ExpectedAccept for key {handshake.Key} (WebSocketAccept.Compute), which Validate compares with", "Notebook 04 §3; fix AcceptTests first");

    private static HandshakeFailedException ExpectFailure(ClientHandshake handshake, string response, string what)
    {
        try
        {
            var result = handshake.Validate(Handshakes.ParseResponse(response));
            Check.Fail($"step 9: Validate accepted {what} (result: subprotocol {result.Subprotocol ?? "none"}); expected a HandshakeFailedException.",
                $"{ReadValidate}. The response: {Visible.Quoted(response)}; the key sent: {handshake.Key}");
            return null!;
        }
        catch (HandshakeFailedException e)
        {
            return e;
        }
    }

    [Fact, Graded(1, Hint = ReadValidate)]
    public void Validate_accepts_a_correct_101_and_returns_what_was_agreed()
    {
        var options = new ClientHandshakeOptions { Subprotocols = ["chat", "json"], Extensions = [new ExtensionOffer("permessage-deflate")] };
        var handshake = new ClientHandshake(new Uri("ws://127.0.0.1:8080/echo"), options);
        string accept = Handshakes.AcceptFor(handshake.Key);
        RequireStep1(handshake);
        var cases = new (string Response, string? Subprotocol, string[] Extensions, string What)[]
        {
            (SwitchingProtocols(accept), null, [], "a plain 101"),
            ($"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", null, [], "a 101 with another reason phrase (RFC 9112 §4: clients ignore it)"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Protocol: json"), "json", [], "a 101 choosing json"),
            (SwitchingProtocols(accept, "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover", "Sec-WebSocket-Protocol: chat"), "chat", ["permessage-deflate"], "a 101 choosing chat and accepting permessage-deflate"),
            ($"HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nconnection: upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n", null, [], "a 101 written in other cases"),
            ($"HTTP/1.1 101 Switching Protocols\r\nDate: Mon, 23 Nov 2026 09:30:00 GMT\r\nServer: Kestrel\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n", null, [], "a 101 with more fields and Connection: keep-alive, Upgrade"),
        };
        foreach (var (text, subprotocol, extensions, what) in cases)
        {
            HandshakeResult result;
            try
            {
                result = handshake.Validate(Handshakes.ParseResponse(text));
            }
            catch (HandshakeFailedException e)
            {
                Check.Fail($"step 9: Validate refused {what} with {e.Failure}: {e.Message}", $"{ReadValidate}. The response: {Visible.Quoted(text)}; the key sent: {handshake.Key}");
                return;
            }
            Check.Equal(result.Subprotocol, subprotocol, $"step 9: HandshakeResult.Subprotocol for {what}", ReadValidate);
            Check.Equal(string.Join(", ", result.Extensions.Select(e => e.Name)), string.Join(", ", extensions), $"step 9: the names in HandshakeResult.Extensions for {what}", ReadValidate);
        }
    }

    /// <summary>
    /// A server (Course.Testing's <see cref="ScriptedServer"/>) that reads a request head, then sends
    /// <paramref name="response"/> (or never answers, when it is null) and holds the connection until the client goes.
    /// </summary>
    private static ScriptedServer Answering(string? response) => ScriptedServer.Start(async c =>
    {
        await c.ReadRequestHeadAsync();
        if (response is not null)
            await c.SendAsync(response);
        await c.WaitForCloseAsync(TimeSpan.FromSeconds(10));
    });

    [Fact, Graded(1, Hint = ReadValidate)]
    public async Task HandshakeClient_fails_on_a_wrong_accept_and_on_a_server_that_never_answers()
    {
        await using var wrong = Answering(SwitchingProtocols(Handshakes.RfcAccept));
        await using var silent = Answering(null);
        var failure = await ExpectConnectFailureAsync(new Uri(wrong.Url("/echo")), new ClientHandshakeOptions { Timeout = TimeSpan.FromSeconds(5) },
            "step 9: HandshakeClient.ConnectAsync against a server that answers with the RFC's accept whatever the key");
        Check.Equal(failure.Failure, HandshakeFailure.IncorrectAccept, $"step 9: the failure when the server's accept is not the one for the key sent (message: {failure.Message})", ReadValidate);
        Check.True(failure.Message.StartsWith("Incorrect 'Sec-WebSocket-Accept' header value", StringComparison.Ordinal),
            $"step 9: the message for a wrong accept should start with \"Incorrect 'Sec-WebSocket-Accept' header value\"; it is {Visible.Quoted(failure.Message)}", ReadValidate);

        var clock = Stopwatch.StartNew();
        var silence = await ExpectConnectFailureAsync(new Uri(silent.Url("/echo")), new ClientHandshakeOptions { Timeout = TimeSpan.FromSeconds(1) },
            "step 9: HandshakeClient.ConnectAsync against a server that reads the handshake and never answers (Timeout 1 s)");
        Check.Equal(silence.Failure, HandshakeFailure.NoResponse, $"step 9: the failure when the server never answers (message: {silence.Message})", ReadValidate);
        Check.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"step 9: ConnectAsync gave up after {clock.Elapsed.TotalSeconds:0.0} s; its Timeout was 1 s", ReadValidate);
    }

    [Fact] // Given code: HandshakeClient reads the head first, so any refusal fails at once, whatever its body.
    public async Task HandshakeClient_fails_a_refusal_at_once_whatever_its_body()
    {
        var refusals = new (string Response, string What)[]
        {
            ("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "a chunked 404"),
            ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nno", "a 400 with no Content-Length, the connection left open"),
            ("HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nno Origin", "a 403 that says why"),
        };
        foreach (var (response, what) in refusals)
        {
            await using var server = Answering(response);
            var clock = Stopwatch.StartNew();
            var failure = await ExpectConnectFailureAsync(new Uri(server.Url("/echo")), new ClientHandshakeOptions { Timeout = TimeSpan.FromSeconds(5) },
                $"HandshakeClient.ConnectAsync against {what}");
            Check.Equal(failure.Failure, HandshakeFailure.NotSwitchingProtocols, $"the failure for {what} (message: {failure.Message})", ReadValidate);
            Check.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"ConnectAsync took {clock.Elapsed.TotalSeconds:0.0} s to fail on {what}; the status line alone decides", ReadValidate);
            if (what.Contains("says why", StringComparison.Ordinal))
                Check.True(failure.Message.Contains("no Origin", StringComparison.Ordinal), $"the message for {what} should quote its short body; it is {Visible.Quoted(failure.Message)}", ReadValidate);
        }
    }

    [Fact] // Given code: what goes into the request's fields is checked once, in the constructor.
    public void The_constructor_refuses_values_that_would_inject_header_lines()
    {
        var url = new Uri("ws://127.0.0.1:8080/echo");
        var bad = new (ClientHandshakeOptions Options, string What)[]
        {
            (new() { Origin = "http://a\r\nX-Injected: 1" }, "an Origin with CRLF"),
            (new() { Subprotocols = ["chat\r\nX: 1"] }, "a subprotocol with CRLF"),
            (new() { Subprotocols = ["chat", "chat"] }, "a subprotocol offered twice (RFC 6455 §4.1 item 10)"),
            (new() { Extensions = [new ExtensionOffer("permessage-deflate", [new ExtensionParameter("p", "a b")])] }, "an extension parameter value with a space"),
        };
        foreach (var (options, what) in bad)
            Should.Throw<ArgumentException>(() => new ClientHandshake(url, options), $"new ClientHandshake with {what}");
        Should.Throw<NotSupportedException>(() => new ClientHandshake(new Uri("wss://127.0.0.1/echo")), "wss:// before Lab 09");
        Should.Throw<ArgumentException>(() => new ClientHandshake(new Uri("http://127.0.0.1/echo")), "an http:// URL");
        Should.Throw<ArgumentException>(() => new ClientHandshake(new Uri("ws://127.0.0.1/echo#top")), "a URL with a fragment");
    }

    private static async Task<HandshakeFailedException> ExpectConnectFailureAsync(Uri url, ClientHandshakeOptions options, string what)
    {
        try
        {
            await using var connection = await HandshakeClient.ConnectAsync(url, options).Within(TimeSpan.FromSeconds(5), what);
            Check.Fail($"{what}: it succeeded, expected a HandshakeFailedException.", ReadValidate);
            return null!;
        }
        catch (HandshakeFailedException e)
        {
            return e;
        }
    }
}
