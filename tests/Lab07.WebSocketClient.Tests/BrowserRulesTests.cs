using Lab06.WebSocketServer.Tests;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// What the browser checks before anything goes on the wire (notebook 07 §2;
/// steps 1 and 2): the URL of <c>new WebSocket(url)</c> and the code and
/// reason of <c>close(code, reason)</c>, each refused with the exception a
/// script would get (SyntaxError, InvalidAccessError). Pure functions first,
/// then the same rules through <see cref="WebSocketClient"/>.
/// </summary>
public sealed class BrowserRulesTests
{
    private const string Url =
        "Lab 07 · step 1 (BrowserRules.ParseUrl): Uri.TryCreate(url, UriKind.Absolute, out var uri), else ArgumentException \"SyntaxError: ...\"; " +
        "http → ws and https → wss with UriBuilder (Port = -1 when it was the default port, else keep it); any other scheme, or a fragment " +
        "(uri.Fragment, or a '#' in url: an empty \"#\" leaves Fragment empty), is an ArgumentException whose message starts \"SyntaxError:\". Notebook 07 §2, RFC 6455 §3.";

    private const string Status =
        "Lab 07 · step 2 (BrowserRules.CloseStatusFor): a code other than 1000 and 3000-4999 is an ArgumentOutOfRangeException whose message starts \"InvalidAccessError:\"; " +
        "a reason over 123 UTF-8 bytes (Encoding.UTF8.GetByteCount, not string.Length: \"é\" is 2 bytes) is an ArgumentException starting \"SyntaxError:\"; " +
        "neither code nor reason → CloseStatus.Empty; a reason alone goes with 1000. Notebook 07 §2, RFC 6455 §5.5 and §7.4.2.";

    private const string Client =
        "Lab 07 · steps 1, 2, 4 and 6: the constructor checks the URL (step 1) and the subprotocols (Lab 04's ClientHandshake) before anything is sent; " +
        "Close checks its code and reason (step 2) before it changes anything, so a refused Close leaves the connection OPEN. Notebook 07 §2 and §4.";

    [Fact, Graded(1, Hint = Url)]
    public void ParseUrl_keeps_ws_and_wss_urls_with_their_port_path_and_query()
    {
        (string Url, string Expected, int Port)[] cases =
        [
            ("ws://127.0.0.1:8080/echo", "ws://127.0.0.1:8080/echo", 8080),
            ("ws://example.com/chat?room=lab&user=ana", "ws://example.com/chat?room=lab&user=ana", 80),
            ("wss://example.com/", "wss://example.com/", 443),
            ("wss://example.com:8443/a/b?x=1", "wss://example.com:8443/a/b?x=1", 8443),
        ];
        foreach (var (url, expected, port) in cases)
        {
            var uri = BrowserRules.ParseUrl(url);
            Check.Equal(uri.AbsoluteUri, expected, $"step 1: ParseUrl(\"{url}\")", Url + " A ws: or wss: URL comes back as it is, its query too.");
            Check.Equal(uri.Port, port, $"step 1: the port of ParseUrl(\"{url}\")", Url);
        }
    }

    [Fact, Graded(1, Hint = Url)]
    public void ParseUrl_turns_http_into_ws_and_https_into_wss_keeping_a_port_that_was_given()
    {
        (string Url, string Expected, int Port)[] cases =
        [
            ("http://127.0.0.1:8080/echo?x=1", "ws://127.0.0.1:8080/echo?x=1", 8080),
            ("http://example.com/", "ws://example.com/", 80),
            ("https://example.com/chat", "wss://example.com/chat", 443),
            ("https://example.com:8443/chat?room=1", "wss://example.com:8443/chat?room=1", 8443),
            // 443 was given, not a default, for http: it stays (ws:// defaults to 80).
            ("http://example.com:443/", "ws://example.com:443/", 443),
            ("HTTP://example.com/upper", "ws://example.com/upper", 80),
        ];
        foreach (var (url, expected, port) in cases)
        {
            var uri = BrowserRules.ParseUrl(url);
            Check.Equal(uri.AbsoluteUri, expected, $"step 1: ParseUrl(\"{url}\")",
                Url + " Browsers take http: as ws: and https: as wss: (WHATWG WebSockets, since 2023); a port that was written stays, a default one becomes the new scheme's default.");
            Check.Equal(uri.Port, port, $"step 1: the port of ParseUrl(\"{url}\")", Url);
        }
    }

    [Fact, Graded(1, Hint = Url)]
    public void ParseUrl_refuses_relative_urls_and_other_schemes_with_a_SyntaxError()
    {
        string[] urls = ["/echo", "echo", "", "ftp://example.com/file", "file:///tmp/socket", "mailto:ana@example.com"];
        foreach (var url in urls)
        {
            var e = Sessions.Throws<ArgumentException>(() => BrowserRules.ParseUrl(url), $"step 1: ParseUrl(\"{url}\")",
                Url + " A program has no page to resolve a relative URL against, and only ws, wss, http and https name a WebSocket server.");
            Check.True(e.Message.StartsWith("SyntaxError", StringComparison.Ordinal),
                $"step 1: ParseUrl(\"{url}\") threw {e.GetType().Name} whose message does not start with \"SyntaxError\": {Visible.Quoted(e.Message, 120)}",
                Url + " The browser throws a DOMException named SyntaxError; this client says so at the start of the message.");
        }
    }

    [Fact, Graded(1, Hint = Url)]
    public void ParseUrl_refuses_a_fragment_even_an_empty_one()
    {
        string[] urls = ["ws://example.com/chat#room", "ws://example.com/chat#", "http://example.com/#top", "wss://example.com/?q=1#"];
        foreach (var url in urls)
        {
            var e = Sessions.Throws<ArgumentException>(() => BrowserRules.ParseUrl(url), $"step 1: ParseUrl(\"{url}\")",
                Url + " RFC 6455 §3: \"Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used\". Uri.Fragment is \"\" for a lone '#': look at the string too.");
            Check.True(e.Message.StartsWith("SyntaxError", StringComparison.Ordinal),
                $"step 1: ParseUrl(\"{url}\") threw {e.GetType().Name} whose message does not start with \"SyntaxError\": {Visible.Quoted(e.Message, 120)}", Url);
        }
    }

    [Fact, Graded(1, Hint = Url)]
    public void ParseUrl_takes_an_IPv6_literal()
    {
        var uri = BrowserRules.ParseUrl("ws://[::1]:8080/x");
        Check.Equal(uri.AbsoluteUri, "ws://[::1]:8080/x", "step 1: ParseUrl(\"ws://[::1]:8080/x\")", Url + " An IPv6 address goes in brackets (RFC 3986 §3.2.2); it is a host like any other.");
        Check.Equal(uri.Port, 8080, "step 1: the port of ws://[::1]:8080/x", Url);
        var http = BrowserRules.ParseUrl("http://[::1]/x?y=1");
        Check.Equal(http.AbsoluteUri, "ws://[::1]/x?y=1", "step 1: ParseUrl(\"http://[::1]/x?y=1\")", Url);
    }

    [Fact, Graded(1, Hint = Status)]
    public void CloseStatusFor_accepts_1000_and_3000_to_4999_with_their_reason()
    {
        (int Code, string Reason)[] cases = [(1000, "bye"), (3000, ""), (4000, "custom"), (4999, "the last one")];
        foreach (var (code, reason) in cases)
        {
            var status = BrowserRules.CloseStatusFor(code, reason);
            Check.Equal(status.Code, (int?)code, $"step 2: the code of CloseStatusFor({code}, \"{reason}\")", Status);
            Check.Equal(status.Reason, reason, $"step 2: the reason of CloseStatusFor({code}, \"{reason}\")", Status);
        }
    }

    [Fact, Graded(1, Hint = Status)]
    public void CloseStatusFor_refuses_the_protocols_own_codes_with_an_InvalidAccessError()
    {
        int[] codes = [999, 1001, 1002, 1005, 1006, 1011, 1015, 2999, 5000, 0, -1, 65535];
        foreach (int code in codes)
        {
            var e = Sessions.Throws<ArgumentOutOfRangeException>(() => BrowserRules.CloseStatusFor(code, null), $"step 2: CloseStatusFor({code}, null)",
                Status + " A script may send 1000 or 3000-4999; 1001-2999 belong to the protocol and its extensions, and 1005, 1006 and 1015 never go on the wire.");
            Check.True(e.Message.StartsWith("InvalidAccessError", StringComparison.Ordinal),
                $"step 2: CloseStatusFor({code}, null) threw ArgumentOutOfRangeException whose message does not start with \"InvalidAccessError\": {Visible.Quoted(e.Message, 120)}", Status);
        }
    }

    [Fact, Graded(1, Hint = Status)]
    public void CloseStatusFor_limits_the_reason_to_123_UTF8_bytes_not_123_characters()
    {
        (string Name, string Reason)[] fit =
        [
            ("123 × \"a\"", new string('a', 123)),
            ("61 × \"é\" + \"a\" (123 bytes)", string.Concat(Enumerable.Repeat("é", 61)) + "a"),
            ("41 × \"€\" (123 bytes)", string.Concat(Enumerable.Repeat("€", 41))),
        ];
        foreach (var (name, reason) in fit)
        {
            var status = BrowserRules.CloseStatusFor(1000, reason);
            Check.Equal(status.Reason, reason, $"step 2: the reason of CloseStatusFor(1000, {name})", Status);
        }
        (string Name, int? Code, string Reason)[] tooLong =
        [
            ("124 × \"a\"", 1000, new string('a', 124)),
            ("62 × \"é\" (62 characters, 124 bytes)", 1000, string.Concat(Enumerable.Repeat("é", 62))),
            ("42 × \"€\" (42 characters, 126 bytes)", 4000, string.Concat(Enumerable.Repeat("€", 42))),
            ("124 × \"a\" with no code", null, new string('a', 124)),
        ];
        foreach (var (name, code, reason) in tooLong)
        {
            var e = Sessions.Throws<ArgumentException>(() => BrowserRules.CloseStatusFor(code, reason), $"step 2: CloseStatusFor({code?.ToString() ?? "null"}, {name})",
                Status + " A close frame's payload is at most 125 bytes (RFC 6455 §5.5), 2 of them the code: count the reason's UTF-8 bytes.");
            Check.True(e.Message.StartsWith("SyntaxError", StringComparison.Ordinal),
                $"step 2: CloseStatusFor({code?.ToString() ?? "null"}, {name}) threw {e.GetType().Name} whose message does not start with \"SyntaxError\": {Visible.Quoted(e.Message, 120)}", Status);
        }
    }

    [Fact, Graded(1, Hint = Status)]
    public void CloseStatusFor_with_neither_is_an_empty_close_and_a_reason_alone_goes_with_1000()
    {
        var neither = BrowserRules.CloseStatusFor(null, null);
        Check.Equal(neither, CloseStatus.Empty, "step 2: CloseStatusFor(null, null)",
            Status + " close() with no arguments sends a close frame with no payload; the server's echo then reports 1005 (RFC 6455 §7.1.5).");
        var reasonOnly = BrowserRules.CloseStatusFor(null, "bye");
        Check.Equal(reasonOnly, new CloseStatus(1000, "bye"), "step 2: CloseStatusFor(null, \"bye\")", Status + " A reason needs a code in the frame: the browser sends 1000 with it.");
        var codeOnly = BrowserRules.CloseStatusFor(3000, null);
        Check.Equal(codeOnly, new CloseStatus(3000, ""), "step 2: CloseStatusFor(3000, null)", Status);
    }

    [Fact, Graded(1, Hint = Client)]
    public void The_constructor_refuses_a_bad_url_or_bad_subprotocols_with_a_SyntaxError()
    {
        (string Url, string[] Protocols, string Why)[] refused =
        [
            ("/echo", [], "a relative URL"),
            ("ftp://127.0.0.1:9/echo", [], "an ftp: URL"),
            ("ws://127.0.0.1:9/echo#x", [], "a fragment"),
            ("ws://127.0.0.1:9/chat", ["chat", "chat"], "a subprotocol offered twice"),
            ("ws://127.0.0.1:9/chat", ["chat json"], "a subprotocol with a space (not an HTTP token)"),
            ("ws://127.0.0.1:9/chat", [""], "an empty subprotocol"),
            ("ws://127.0.0.1:9/chat", ["chat,json"], "a comma inside one subprotocol"),
        ];
        foreach (var (url, protocols, why) in refused)
        {
            var e = Sessions.Throws<ArgumentException>(() => _ = new WebSocketClient(url, protocols),
                $"new WebSocketClient(\"{url}\"{string.Concat(protocols.Select(p => $", \"{p}\""))}) ({why})", Client);
            Check.True(e.Message.StartsWith("SyntaxError", StringComparison.Ordinal),
                $"new WebSocketClient with {why} threw {e.GetType().Name} whose message does not start with \"SyntaxError\": {Visible.Quoted(e.Message, 120)}", Client);
        }
        var fine = new WebSocketClient("http://127.0.0.1:9/chat", "chat", "json");
        Check.Equal(fine.Url.AbsoluteUri, "ws://127.0.0.1:9/chat", "the Url of new WebSocketClient(\"http://127.0.0.1:9/chat\")", Client);
        Check.Equal(fine.ReadyState, ConnectionState.Connecting, "ReadyState of a new client", "Notebook 07 §3: a WebSocket starts CONNECTING (0).");
        Check.Equal(fine.Protocol, "", "Protocol before the handshake", "Notebook 07 §3: \"\" until the server chose one.");
    }

    [Fact, Graded(1, Hint = Client)]
    public async Task Close_with_a_code_or_reason_a_script_may_not_send_throws_and_changes_nothing()
    {
        await using var server = TestServer.Start();
        await using var client = new WebSocketClient(server.Ws("/echo").ToString(), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.OpenedAsync("step 4: OnOpen from Lab 06's /echo");

        foreach (int code in new[] { 1001, 1005, 1006, 2999 })
        {
            var e = Sessions.Throws<ArgumentOutOfRangeException>(() => client.Close(code), $"Close({code}) on an open connection", Client);
            Check.True(e.Message.StartsWith("InvalidAccessError", StringComparison.Ordinal), $"Close({code}) threw an exception whose message does not start with \"InvalidAccessError\": {Visible.Quoted(e.Message, 120)}", Client);
        }
        var tooLong = Sessions.Throws<ArgumentException>(() => client.Close(1000, new string('x', 124)), "Close(1000, a 124-byte reason) on an open connection", Client);
        Check.True(tooLong.Message.StartsWith("SyntaxError", StringComparison.Ordinal), $"Close(1000, a 124-byte reason) threw an exception whose message does not start with \"SyntaxError\": {Visible.Quoted(tooLong.Message, 120)}", Client);

        Check.Equal(client.ReadyState, ConnectionState.Open, "step 6: ReadyState after Close calls that threw",
            Client + " Check first (BrowserRules.CloseStatusFor), then act: nothing may go on the wire for a refused Close.");
        client.Send("still open");
        await timeline.MessagesAsync(1, "step 5: the echo of \"still open\", sent after the refused Close calls");
        Check.Equal(timeline.Messages[0].Data as string, "still open", "the echo after the refused Close calls", Client);
        Check.Equal(timeline.Closes, 0, "close events after the refused Close calls", Client);

        client.Close(1000);
        var close = await timeline.ClosedAsync("step 6: OnClose after Close(1000)");
        Check.Equal(close, new CloseEvent(1000, "", true), "the close event after Close(1000) to Lab 06's /echo", Client);
    }
}
