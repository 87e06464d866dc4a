namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// The server's checks of a handshake request, Sans-I/O (RFC 6455 §4.2.1;
/// notebook 04 §4): requests built as bytes in the test, parsed by the Lab 03
/// parser, given to <see cref="ServerHandshake.ReadRequest"/>. No socket.
/// </summary>
public class RequestValidationTests
{
    private const string Read = "Notebook 04 §4; RFC 6455 §4.2.1 (what the server reads), §4.4 (versions)";

    [Fact, Graded(1, Hint = Read)]
    public void Reads_the_fields_of_a_valid_request()
    {
        var text = Handshakes.Request(host: "server.example.com", target: "/chat?room=1", extra:
        [
            "Origin: http://example.com",
            "Sec-WebSocket-Protocol: chat, superchat",
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        ]);
        var request = ServerHandshake.ReadRequest(Handshakes.Parse(text));
        Check.Equal(request.Path, "/chat", "step 5: HandshakeRequest.Path of \"GET /chat?room=1\"", Read);
        Check.Equal(request.Host, "server.example.com", "step 5: HandshakeRequest.Host", Read);
        Check.Equal(request.Key, Handshakes.RfcKey, "step 5: HandshakeRequest.Key", Read);
        Check.Equal(request.Origin, "http://example.com", "step 5: HandshakeRequest.Origin", Read);
        Check.Equal(string.Join(" | ", request.OfferedSubprotocols), "chat | superchat", "step 5: HandshakeRequest.OfferedSubprotocols of \"chat, superchat\", in the client's order", Read);
        Check.Equal(request.OfferedExtensions.Count, 1, "step 5: offers in \"permessage-deflate; client_max_window_bits\"", Read);
        Check.Equal(request.OfferedExtensions[0].Name, "permessage-deflate", "step 5: the name of the extension offered", Read);

        var bare = ServerHandshake.ReadRequest(Handshakes.Parse(Handshakes.Request()));
        Check.Equal(bare.Origin, null, "step 5: HandshakeRequest.Origin with no Origin field (not a browser)", Read);
        Check.Equal(bare.OfferedSubprotocols.Count, 0, "step 5: subprotocols offered with no Sec-WebSocket-Protocol", Read);
        Check.Equal(bare.OfferedExtensions.Count, 0, "step 5: extensions offered with no Sec-WebSocket-Extensions", Read);
    }

    [Fact, Graded(1, Hint = Read + "; RFC 9110 §5.1 (field names), §7.6.1 (Connection), §7.8 (Upgrade)")]
    public void Accepts_names_and_tokens_in_any_case_and_Connection_lists()
    {
        // What Firefox sends: "Connection: keep-alive, Upgrade"; Upgrade's token is case-insensitive too.
        var text = "GET /echo HTTP/1.1\r\nhost: test\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\n" +
                   $"sec-websocket-key: {Handshakes.RfcKey}\r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n";
        HandshakeRequest request;
        try
        {
            request = ServerHandshake.ReadRequest(Handshakes.Parse(text));
        }
        catch (HandshakeRejectedException e)
        {
            Check.Fail($"step 5: ServerHandshake.ReadRequest refused {Visible.Quoted(text)} with {e.Error}: {e.Message}",
                Read + ". Field names and the tokens websocket and Upgrade compare ignoring case, and Connection is a list (HeaderTokens.Contains).");
            return;
        }
        Check.Equal(request.Key, Handshakes.RfcKey, "step 5: the key of a request written in lower case", Read);
        // What nginx sends when it proxies a WebSocket: proxy_set_header Connection "upgrade".
        var proxied = Handshakes.Request(connection: "upgrade");
        try
        {
            ServerHandshake.ReadRequest(Handshakes.Parse(proxied));
        }
        catch (HandshakeRejectedException e)
        {
            Check.Fail($"step 5: ServerHandshake.ReadRequest refused \"Connection: upgrade\" (lower case, as nginx sends it) with {e.Error}: {e.Message}",
                Read + ". Connection options compare ignoring case (RFC 9110 §7.6.1): HeaderTokens.Contains, not List.Contains.");
        }
        var versions = "GET /echo HTTP/1.1\r\nHost: test\r\nUpgrade: HTTP/2.0, websocket\r\nConnection: Upgrade, HTTP2-Settings\r\n" +
                       $"Sec-WebSocket-Key: {Handshakes.RfcKey}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        try
        {
            ServerHandshake.ReadRequest(Handshakes.Parse(versions));
        }
        catch (HandshakeRejectedException e)
        {
            Check.Fail($"step 5: ServerHandshake.ReadRequest refused \"Upgrade: HTTP/2.0, websocket\" with {e.Error}: {e.Message}",
                Read + ". Upgrade lists protocols, with versions (RFC 9110 §7.8): HeaderTokens.Contains(..., allowVersions: true).");
        }
    }

    public static readonly string Fifteen = Convert.ToBase64String(Enumerable.Range(0, 15).Select(i => (byte)i).ToArray());
    public static readonly string Seventeen = Convert.ToBase64String(Enumerable.Range(0, 17).Select(i => (byte)i).ToArray());

    [Fact, Graded(2, Hint = Read)]
    public void Refuses_each_broken_rule_with_its_error()
    {
        var cases = new (string Request, HandshakeError Error, string What)[]
        {
            (Handshakes.Request(method: "POST", extra: "Content-Length: 0"), HandshakeError.MethodNotGet, "a POST"),
            (Handshakes.Request(method: "get"), HandshakeError.MethodNotGet, "method \"get\" (methods are case-sensitive, RFC 9110 §9.1)"),
            (Handshakes.Request(version: "HTTP/1.0"), HandshakeError.HttpVersionTooOld, "an HTTP/1.0 request"),
            (Handshakes.Request(upgrade: null), HandshakeError.MissingUpgrade, "no Upgrade field"),
            (Handshakes.Request(upgrade: "h2c"), HandshakeError.MissingUpgrade, "Upgrade: h2c"),
            (Handshakes.Request(connection: null), HandshakeError.MissingConnectionUpgrade, "no Connection field"),
            (Handshakes.Request(connection: "keep-alive"), HandshakeError.MissingConnectionUpgrade, "Connection: keep-alive"),
            (Handshakes.Request(connection: "Upgraded"), HandshakeError.MissingConnectionUpgrade, "Connection: Upgraded"),
            (Handshakes.Request(wsVersion: "8"), HandshakeError.UnsupportedVersion, "Sec-WebSocket-Version: 8"),
            (Handshakes.Request(wsVersion: null), HandshakeError.UnsupportedVersion, "no Sec-WebSocket-Version"),
            (Handshakes.Request(wsVersion: "13, 8"), HandshakeError.UnsupportedVersion, "Sec-WebSocket-Version: 13, 8"),
            (Handshakes.Request(wsVersion: "14"), HandshakeError.UnsupportedVersion, "Sec-WebSocket-Version: 14 (a later version is not 13 either)"),
            (Handshakes.Request(wsVersion: "8", key: "not a key"), HandshakeError.UnsupportedVersion, "version 8 and a bad key (the version is checked first, so an old client learns which version to speak)"),
            (Handshakes.Request(key: null), HandshakeError.MissingKey, "no Sec-WebSocket-Key"),
            (Handshakes.Request(extra: $"Sec-WebSocket-Key: {Handshakes.AcceptFor("x")[..22]}=="), HandshakeError.MissingKey, "two Sec-WebSocket-Key fields"),
            (Handshakes.Request(key: Fifteen), HandshakeError.InvalidKey, $"a key of 15 bytes ({Fifteen})"),
            (Handshakes.Request(key: Seventeen), HandshakeError.InvalidKey, $"a key of 17 bytes ({Seventeen})"),
            (Handshakes.Request(key: "dGhlIHNhbXBs ZSBub25jZQ=="), HandshakeError.InvalidKey, "a key with a space inside (Convert.FromBase64String would skip it)"),
            (Handshakes.Request(key: "dGhlIHNhbXBsZSBub25j*Q=="), HandshakeError.InvalidKey, "a key with '*', not a base64 character"),
            (Handshakes.Request(key: "dGhlIHNhbXBsZSBub25jZQ"), HandshakeError.InvalidKey, "a key without its \"==\" padding"),
            (Handshakes.Request(extra: "Sec-WebSocket-Protocol: chat, j son"), HandshakeError.MalformedHeader, "Sec-WebSocket-Protocol: chat, j son"),
            (Handshakes.Request(extra: "Sec-WebSocket-Extensions: permessage-deflate;"), HandshakeError.MalformedHeader, "Sec-WebSocket-Extensions: permessage-deflate;"),
            (Handshakes.Request(connection: "Upgrade;"), HandshakeError.MalformedHeader, "Connection: Upgrade;"),
        };
        foreach (var (text, error, what) in cases)
        {
            HandshakeRequest accepted;
            try
            {
                accepted = ServerHandshake.ReadRequest(Handshakes.Parse(text));
            }
            catch (HandshakeRejectedException e)
            {
                Check.Equal(e.Error, error, $"step 5: the error for {what}, {Visible.Quoted(text)}", Read);
                Check.True(e.Message.Length > 0, $"step 5: the refusal of {what} has an empty message; say what was wrong, for the response's body", Read);
                continue;
            }
            Check.Fail($"step 5: ServerHandshake.ReadRequest accepted {what}, {Visible.Quoted(text)}; expected HandshakeRejectedException({error}).", Read);
        }

        // HTTP/1.1 requires Host, so the Lab 03 parser refuses such a request first: build it by hand.
        var noHost = new HttpRequest("GET", "/echo", HttpVersion.Version11, Headers(("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", Handshakes.RfcKey), ("Sec-WebSocket-Version", "13")), []);
        try
        {
            ServerHandshake.ReadRequest(noHost);
            Check.Fail("step 5: ServerHandshake.ReadRequest accepted a request without Host; expected HandshakeRejectedException(MissingHost).", Read);
        }
        catch (HandshakeRejectedException e)
        {
            Check.Equal(e.Error, HandshakeError.MissingHost, "step 5: the error for a request without Host", Read);
        }
    }

    [Fact, Graded(1, Hint = Read + " item 5; RFC 4648 §4 (base64)")]
    public void A_valid_key_is_base64_for_exactly_16_bytes()
    {
        var random = new Random(405);
        var keys = new List<(string? Key, bool Valid, string What)>
        {
            (Handshakes.RfcKey, true, "the RFC's key"),
            ("AAAAAAAAAAAAAAAAAAAAAA==", true, "16 zero bytes"),
            ("/+/+/+/+/+/+/+/+/+/+/w==", true, "a key with '+' and '/'"),
            (Fifteen, false, "15 bytes"),
            (Seventeen, false, "17 bytes"),
            ("dGhlIHNhbXBs ZSBub25jZQ==", false, "a space inside"),
            ("dGhlIHNhbXBsZSBub25jZQ", false, "no padding"),
            ("dGhlIHNhbXBsZSBub25jZé==", false, "a non-ASCII letter (char.IsLetterOrDigit says yes; base64 says no)"),
            ("dGhlIHNhbXBsZSBub25jZQ===", false, "three '='"),
            ("dGhlIHNhbXBsZSBub25j-Q==", false, "'-' (base64url, not base64)"),
            ("dGhlIHNhbXBsZSBub25jZQ=\u0000", false, "a NUL"),
            ("", false, "the empty string"),
            (null, false, "null"),
        };
        for (int i = 0; i < 10; i++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            keys.Add((Convert.ToBase64String(bytes), true, "16 random bytes"));
        }
        foreach (var (key, valid, what) in keys)
            Check.Equal(WebSocketKey.IsValid(key), valid, $"step 5: WebSocketKey.IsValid({(key is null ? "null" : Visible.Quoted(key))}) ({what})", Read + " item 5. Check the characters yourself: Convert.FromBase64String skips spaces.");
    }

    private static HttpHeaders Headers(params (string Name, string Value)[] fields)
    {
        var headers = new HttpHeaders();
        foreach (var (name, value) in fields)
            headers.Add(name, value);
        return headers;
    }
}
