using System.Text;

namespace Lab04.WebSocketHandshake;

/// <summary>
/// A field value is malformed: which field, where, and what was expected,
/// for the reason in a 400 response or a client's error.
/// </summary>
public sealed class HeaderSyntaxException(string field, string value, int position, string expected)
    : FormatException($"{field}: {HttpSyntax.Show(value)} is malformed at position {position} ({Describe(value, position)}); expected {expected}.")
{
    /// <summary>The field's name: "Sec-WebSocket-Protocol".</summary>
    public string Field { get; } = field;

    /// <summary>Where in the value the problem is, from 0.</summary>
    public int Position { get; } = position;

    private static string Describe(string value, int position) =>
        position >= value.Length ? "the value ended" : $"'{value[position]}' found";
}

/// <summary>
/// A cursor over one header field value, for parsers written by hand: reads
/// tokens, optional white space and quoted strings (RFC 9110 §5.6), one
/// character at a time, so that every value is read in linear time, whatever
/// an attacker puts in it. (A regular expression can take far more than
/// linear time on a crafted value, a ReDoS: Node's ws split
/// Sec-WebSocket-Protocol with one, CVE-2021-32640, and the websocket-extensions
/// parser used by Faye had the same bug, CVE-2020-7662.)
/// </summary>
public ref struct HeaderReader(string field, string value)
{
    private readonly string _field = field;
    private readonly string _value = value;

    /// <summary>Where the next character is.</summary>
    public int Position { get; private set; }

    /// <summary>Whether the whole value has been read.</summary>
    public readonly bool AtEnd => Position >= _value.Length;

    /// <summary>The next character, or '\0' at the end.</summary>
    public readonly char Peek => AtEnd ? '\0' : _value[Position];

    /// <summary>Skips OWS: any spaces and tabs (RFC 9110 §5.6.3).</summary>
    public void SkipSpaces()
    {
        while (!AtEnd && Peek is ' ' or '\t')
            Position++;
    }

    /// <summary>Moves past the next character (nothing at the end).</summary>
    public void Advance()
    {
        if (!AtEnd)
            Position++;
    }

    /// <summary>Reads <paramref name="c"/> if it is next.</summary>
    public bool TryRead(char c)
    {
        if (AtEnd || Peek != c)
            return false;
        Position++;
        return true;
    }

    /// <summary>Reads a token (1*tchar); throws when there is none here.</summary>
    public string ReadToken(string what = "a token")
    {
        int start = Position;
        while (!AtEnd && HttpSyntax.IsTokenChar(Peek))
            Position++;
        if (Position == start)
            throw Fail(what);
        return _value[start..Position];
    }

    /// <summary>
    /// Reads a quoted-string (RFC 9110 §5.6.4) and returns its content with
    /// the quotes removed and each quoted-pair (<c>\x</c>) unescaped.
    /// </summary>
    public string ReadQuotedString()
    {
        if (!TryRead('"'))
            throw Fail("'\"' to open a quoted string");
        var content = new StringBuilder();
        while (true)
        {
            if (AtEnd)
                throw Fail("'\"' to close the quoted string");
            char c = _value[Position++];
            if (c == '"')
                return content.ToString();
            if (c == '\\')
            {
                if (AtEnd)
                    throw Fail("a character after '\\'");
                c = _value[Position++];
            }
            if (c < 0x20 && c != '\t' || c == 0x7f)
            {
                Position--;
                throw Fail("no control characters in a quoted string");
            }
            content.Append(c);
        }
    }

    /// <summary>The error for "expected <paramref name="expected"/> here".</summary>
    public readonly HeaderSyntaxException Fail(string expected) => new(_field, _value, Position, expected);
}
