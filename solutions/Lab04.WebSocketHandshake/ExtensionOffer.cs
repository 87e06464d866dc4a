using System.Text;

namespace Lab04.WebSocketHandshake;

/// <summary>One parameter of an extension offer: <c>client_max_window_bits</c> or <c>server_max_window_bits=10</c>.</summary>
public sealed record ExtensionParameter(string Name, string? Value = null)
{
    /// <inheritdoc/>
    public override string ToString() => Value is null ? Name : $"{Name}={Value}";
}

/// <summary>
/// One extension offered in Sec-WebSocket-Extensions (RFC 6455 §9.1): a name
/// and its parameters, e.g. <c>permessage-deflate; client_max_window_bits</c> (RFC 7692).
/// </summary>
public sealed record ExtensionOffer(string Name, IReadOnlyList<ExtensionParameter> Parameters)
{
    /// <summary>An offer with no parameters.</summary>
    public ExtensionOffer(string name) : this(name, []) { }

    /// <summary>The offer as it is written in the header: <c>permessage-deflate; client_max_window_bits</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Name);
        foreach (var parameter in Parameters)
            text.Append("; ").Append(parameter);
        return text.ToString();
    }

    /// <summary>Equal when the names and the parameters, in order, are equal.</summary>
    public bool Equals(ExtensionOffer? other) =>
        other is not null && Name == other.Name && Parameters.SequenceEqual(other.Parameters);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Parameters.Count);
}

/// <summary>Parses and writes Sec-WebSocket-Extensions lists (RFC 6455 §9.1).</summary>
public static class ExtensionOffers
{
    /// <summary>The field that carries extension offers and their acceptance.</summary>
    public const string Field = "Sec-WebSocket-Extensions";

    /// <summary>
    /// The offers in <paramref name="value"/>, in order. The grammar:
    /// <code>
    /// extension-list = 1#extension
    /// extension      = extension-token *( ";" extension-param )
    /// extension-param = token [ "=" (token | quoted-string) ]
    /// </code>
    /// with optional spaces around ";" and "=", empty list elements skipped,
    /// and a quoted value that must still be a token once unquoted (§9.1).
    /// Null or empty: no offers.
    /// </summary>
    /// <exception cref="HeaderSyntaxException">The value does not follow the grammar.</exception>
    public static IReadOnlyList<ExtensionOffer> Parse(string? value)
    {
        var offers = new List<ExtensionOffer>();
        if (value is null)
            return offers;
        var reader = new HeaderReader(Field, value);
        // BEGIN SOLUTION
        while (true)
        {
            while (!reader.AtEnd && reader.Peek is ' ' or '\t' or ',')
                reader.Advance();
            if (reader.AtEnd)
                return offers;
            string name = reader.ReadToken("an extension name");
            var parameters = new List<ExtensionParameter>();
            reader.SkipSpaces();
            while (reader.TryRead(';'))
            {
                reader.SkipSpaces();
                string parameter = reader.ReadToken("a parameter name after ';'");
                reader.SkipSpaces();
                string? parameterValue = null;
                if (reader.TryRead('='))
                {
                    reader.SkipSpaces();
                    if (reader.Peek == '"')
                    {
                        int start = reader.Position;
                        parameterValue = reader.ReadQuotedString();
                        if (!HttpSyntax.IsToken(parameterValue))
                            throw new HeaderSyntaxException(Field, value, start, "a quoted value that is a token once unquoted (RFC 6455 §9.1)");
                    }
                    else
                    {
                        parameterValue = reader.ReadToken("a parameter value after '='");
                    }
                    reader.SkipSpaces();
                }
                parameters.Add(new ExtensionParameter(parameter, parameterValue));
            }
            offers.Add(new ExtensionOffer(name, parameters));
            if (!reader.AtEnd && !reader.TryRead(','))
                throw reader.Fail("';' before a parameter or ',' before the next extension");
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 3: like step 2's list, but each element is name *( \";\" param ): skip spaces/tabs/commas; return at the end; name = reader.ReadToken(); then while reader.TryRead(';'): parameter name = ReadToken(), and if reader.TryRead('=') its value: ReadQuotedString() when Peek is '\"' (the unquoted value must be a token: HttpSyntax.IsToken), else ReadToken(). Spaces may come around ';' and '=' (reader.SkipSpaces()). After an offer: the end, or ','; else throw reader.Fail(...). Notebook 04 §5, RFC 6455 §9.1, RFC 7692 §5.");
    }

    /// <summary>The header value for <paramref name="offers"/>: <c>permessage-deflate; client_max_window_bits, x-webkit-deflate-frame</c>.</summary>
    public static string Format(IEnumerable<ExtensionOffer> offers) => string.Join(", ", offers);
}
