using System.Diagnostics;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// Comma-separated lists of tokens (RFC 9110 §5.6.1, §5.6.2; notebook 04 §2):
/// Connection, Upgrade, Sec-WebSocket-Protocol. Read by hand, in one pass.
/// </summary>
public class HeaderListTests
{
    private const string Read = "Notebook 04 §2; RFC 9110 §5.6.1 (lists), §5.6.2 (tokens), §5.6.3 (OWS)";

    private static string Show(IEnumerable<string> list) => "[" + string.Join(", ", list.Select(e => Visible.Quoted(e))) + "]";

    private static void ExpectList(string field, string? value, string[] expected, bool allowVersions = false)
    {
        IReadOnlyList<string> actual;
        try
        {
            actual = HeaderTokens.ParseList(field, value, allowVersions);
        }
        catch (HeaderSyntaxException e)
        {
            Check.Fail($"step 2: HeaderTokens.ParseList(\"{field}\", {Show(value)}{(allowVersions ? ", allowVersions: true" : "")}) threw, expected {Show(expected)}.",
                $"It said: {e.Message}\n{Read}");
            return;
        }
        Check.True(actual.SequenceEqual(expected),
            $"step 2: HeaderTokens.ParseList(\"{field}\", {Show(value)}{(allowVersions ? ", allowVersions: true" : "")}): expected {Show(expected)}, got {Show(actual)}.",
            Read + ". Spaces and tabs around commas are not part of an element, and empty elements are skipped.");
    }

    private static string Show(string? value) => value is null ? "null" : Visible.Quoted(value);

    private static HeaderSyntaxException ExpectError(string field, string value, bool allowVersions = false)
    {
        try
        {
            var list = HeaderTokens.ParseList(field, value, allowVersions);
            Check.Fail($"step 2: HeaderTokens.ParseList(\"{field}\", {Show(value)}) returned {Show(list)}, expected a HeaderSyntaxException.",
                Read + ". An element must be a token (letters, digits, !#$%&'*+-.^_`|~); two elements need a comma between them. Throw reader.Fail(...).");
            return null!;
        }
        catch (HeaderSyntaxException e)
        {
            Check.Equal(e.Field, field, $"step 2: the Field of the HeaderSyntaxException for {Show(value)}", Read);
            return e;
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public void Splits_a_list_skipping_spaces_tabs_and_empty_elements()
    {
        ExpectList("Sec-WebSocket-Protocol", "chat", ["chat"]);
        ExpectList("Sec-WebSocket-Protocol", "chat, superchat", ["chat", "superchat"]);
        ExpectList("Sec-WebSocket-Protocol", "chat,superchat", ["chat", "superchat"]);
        ExpectList("Sec-WebSocket-Protocol", "json \t,\tchat", ["json", "chat"]);
        ExpectList("Connection", "keep-alive, Upgrade", ["keep-alive", "Upgrade"]);
        ExpectList("Connection", ", ,a,,", ["a"]);
        ExpectList("Connection", " , , ", []);
        ExpectList("Connection", "", []);
        ExpectList("Connection", null, []);
        ExpectList("Sec-WebSocket-Protocol", "v1.chat.example, x!#$%&'*+-.^_`|~9", ["v1.chat.example", "x!#$%&'*+-.^_`|~9"]);
        ExpectList("Sec-WebSocket-Protocol", "Chat, CHAT", ["Chat", "CHAT"]);

        // Two Sec-WebSocket-Protocol lines: HttpHeaders.Get joins them with ", " (RFC 9110 §5.3), and the result is one list.
        var request = Handshakes.Parse(Handshakes.Request(extra: ["Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: json, ,superchat"]));
        ExpectList("Sec-WebSocket-Protocol", request.Headers.Get("Sec-WebSocket-Protocol"), ["chat", "json", "superchat"]);
    }

    [Fact, Graded(2, Hint = Read)]
    public void Rejects_an_element_that_is_not_a_token_and_says_where()
    {
        var space = ExpectError("Sec-WebSocket-Protocol", "chat, j son");
        Check.True(space.Position is 7 or 8, $"step 2: the Position of the error in \"chat, j son\": expected 7 or 8 (the space, or the 's' after it), got {space.Position}.", Read);
        var semicolon = ExpectError("Sec-WebSocket-Protocol", "a;b");
        Check.Equal(semicolon.Position, 1, "step 2: the Position of the error in \"a;b\" (';' is a separator, not a token character)", Read);
        var accent = ExpectError("Sec-WebSocket-Protocol", "ché");
        Check.Equal(accent.Position, 2, "step 2: the Position of the error in \"ché\" ('é' is not ASCII, so not a token character)", Read);
        var quoted = ExpectError("Connection", "\"Upgrade\"");
        Check.Equal(quoted.Position, 0, "step 2: the Position of the error in \"\\\"Upgrade\\\"\" (a quoted string is not a token)", Read);
        ExpectError("Connection", "keep-alive Upgrade");
        ExpectError("Sec-WebSocket-Protocol", "chat/1");
        ExpectError("Sec-WebSocket-Protocol", "chat=1");
    }

    [Fact, Graded(1, Hint = Read + "; RFC 9110 §7.8 (Upgrade lists protocol/version)")]
    public void Upgrade_elements_may_carry_a_version_when_allowed()
    {
        ExpectList("Upgrade", "HTTP/2.0, websocket", ["HTTP/2.0", "websocket"], allowVersions: true);
        ExpectList("Upgrade", "websocket", ["websocket"], allowVersions: true);
        ExpectList("Upgrade", "h2c , IRC/6.9,websocket", ["h2c", "IRC/6.9", "websocket"], allowVersions: true);
        ExpectError("Upgrade", "HTTP/2.0, websocket"); // without allowVersions, '/' is not part of a token
        ExpectError("Upgrade", "HTTP/, websocket", allowVersions: true);
        ExpectError("Upgrade", "HTTP/2.0/1", allowVersions: true);
    }

    [Fact, Graded(1, Hint = Read + "; RFC 9110 §7.6.1 (Connection options are case-insensitive)")]
    public void Contains_compares_whole_elements_ignoring_case()
    {
        Check.True(HeaderTokens.Contains("Connection", "keep-alive, Upgrade", "upgrade"), "step 2: HeaderTokens.Contains(\"Connection\", \"keep-alive, Upgrade\", \"upgrade\") should be true", Read);
        Check.True(HeaderTokens.Contains("Connection", "UPGRADE", "Upgrade"), "step 2: HeaderTokens.Contains(\"Connection\", \"UPGRADE\", \"Upgrade\") should be true (case-insensitive)", Read);
        Check.True(HeaderTokens.Contains("Upgrade", "HTTP/2.0, WebSocket", "websocket", allowVersions: true), "step 2: HeaderTokens.Contains(\"Upgrade\", \"HTTP/2.0, WebSocket\", \"websocket\", allowVersions: true) should be true", Read);
        Check.True(!HeaderTokens.Contains("Connection", "keep-alive, Upgraded", "Upgrade"), "step 2: HeaderTokens.Contains(\"Connection\", \"keep-alive, Upgraded\", \"Upgrade\") should be false: elements are compared whole, not as substrings", Read);
        Check.True(!HeaderTokens.Contains("Connection", "keep-alive", "Upgrade"), "step 2: HeaderTokens.Contains(\"Connection\", \"keep-alive\", \"Upgrade\") should be false", Read);
    }

    [Fact, Graded(1, Hint = Read + "; no regular expressions on attacker-controlled headers (Node's ws had a ReDoS)")]
    public async Task Hostile_100_000_character_values_are_read_in_linear_time()
    {
        var hostile = new (string Value, bool Valid, string What)[]
        {
            (string.Concat(Enumerable.Repeat(" ,\t", 33_333)) + "a", true, "33,333 repetitions of \" ,\\t\" then \"a\""),
            (new string('a', 100_000) + "\u0001", false, "100,000 'a' then a control character"),
            ("a" + new string(' ', 100_000) + "b", false, "\"a\", 100,000 spaces, \"b\""),
            (string.Concat(Enumerable.Repeat("a,", 50_000)) + "é", false, "50,000 \"a,\" then 'é'"),
        };
        foreach (var (value, valid, what) in hostile)
        {
            // Timed inside the task, so a thread-pool stall before it starts does not count.
            var elapsed = await Task.Run(() =>
            {
                var clock = Stopwatch.StartNew();
                try
                {
                    HeaderTokens.ParseList("Sec-WebSocket-Protocol", value);
                    Check.True(valid, $"step 2: HeaderTokens.ParseList accepted {what}, which is not a list of tokens", Read);
                }
                catch (HeaderSyntaxException)
                {
                    Check.True(!valid, $"step 2: HeaderTokens.ParseList rejected {what}, which is a valid list (empty elements and OWS are allowed)", Read);
                }
                return clock.Elapsed;
            }).Within(TimeSpan.FromSeconds(10), $"step 2: HeaderTokens.ParseList of {what}");
            Check.True(elapsed < TimeSpan.FromSeconds(1),
                $"step 2: HeaderTokens.ParseList of {what} took {elapsed.TotalMilliseconds:0} ms; a one-pass reader takes about a millisecond",
                Read + ". Read each character once: no Split then re-scan, no string concatenation in a loop, no regular expression.");
        }
    }
}
