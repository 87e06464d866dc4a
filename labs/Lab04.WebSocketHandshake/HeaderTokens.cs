namespace Lab04.WebSocketHandshake;

/// <summary>
/// Comma-separated lists in header fields (RFC 9110 §5.6.1): <c>Connection:
/// keep-alive, Upgrade</c>, <c>Upgrade: websocket</c>, <c>Sec-WebSocket-Protocol:
/// chat, json</c>. Read by hand with <see cref="HeaderReader"/>, in one pass.
/// </summary>
public static class HeaderTokens
{
    /// <summary>
    /// The elements of a list of tokens, in order. Spaces and tabs around
    /// commas are skipped, and so are empty elements (<c>"a, ,b"</c>, which
    /// RFC 9110 §5.6.1 says a recipient must accept). Null or empty: no elements.
    /// </summary>
    /// <param name="field">The field's name, for the error.</param>
    /// <param name="value">The field's value (repeated fields joined with ", ", as <see cref="HttpHeaders.Get"/> does).</param>
    /// <param name="allowVersions">Elements may be <c>name/version</c>, as in Upgrade (<c>HTTP/2.0</c>; RFC 9110 §7.8).</param>
    /// <exception cref="HeaderSyntaxException">An element is not a token, or two are not separated by a comma.</exception>
    public static IReadOnlyList<string> ParseList(string field, string? value, bool allowVersions = false)
    {
        var elements = new List<string>();
        if (value is null)
            return elements;
        var reader = new HeaderReader(field, value);
        throw new NotImplementedException("Lab 04 · step 2: one pass with the reader: skip spaces, tabs and commas with reader.Advance() (empty elements are allowed); at the end return elements; else element = reader.ReadToken() (plus \"/\" + another token when allowVersions and reader.TryRead('/')); add it; skip spaces; then the value must end or reader.TryRead(',') must succeed, else throw reader.Fail(\"',' between two elements\"). No Split, no regular expression. Notebook 04 §2, RFC 9110 §5.6.1.");
    }

    /// <summary>
    /// Whether the list in <paramref name="value"/> holds <paramref name="token"/>,
    /// ignoring case: <c>Connection: keep-alive, UPGRADE</c> holds "upgrade"
    /// (Connection options and Upgrade's protocol names are case-insensitive).
    /// </summary>
    public static bool Contains(string field, string? value, string token, bool allowVersions = false)
    {
        foreach (var element in ParseList(field, value, allowVersions))
            if (element.Equals(token, StringComparison.OrdinalIgnoreCase))
                return true;
        return false;
    }
}
