using System.Text;

namespace Lab03.HttpPolling;

/// <summary>
/// The small pieces of HTTP/1.1 syntax (RFC 9110 §5.6, RFC 9112 §2-§5) that
/// requests and responses share. Checked by hand with character tables, not
/// regular expressions: this is attacker-controlled input.
/// </summary>
public static class HttpSyntax
{
    /// <summary>Header bytes are Latin-1 (ISO-8859-1): one byte, one char, any byte (RFC 9110 §5.5, obs-text).</summary>
    public static Encoding HeaderEncoding => Encoding.Latin1;

    private static readonly bool[] TokenChars = BuildTokenTable();

    /// <summary>
    /// Whether <paramref name="text"/> is a token: 1*tchar, where tchar is a
    /// letter, a digit or one of <c>!#$%&amp;'*+-.^_`|~</c> (RFC 9110 §5.6.2).
    /// Methods, field names, subprotocol and extension names are tokens.
    /// </summary>
    public static bool IsToken(string text)
    {
        if (text.Length == 0)
            return false;
        foreach (char c in text)
            if (!IsTokenChar(c))
                return false;
        return true;
    }

    /// <summary>Whether <paramref name="c"/> is a tchar, a character a token may hold (RFC 9110 §5.6.2).</summary>
    public static bool IsTokenChar(char c) => c < TokenChars.Length && TokenChars[c];

    /// <summary>
    /// Whether <paramref name="value"/> may be a field value: no control
    /// characters but HTAB (RFC 9110 §5.5: CR, LF and NUL are never allowed).
    /// </summary>
    public static bool IsFieldValue(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
            if ((b < 0x20 && b != '\t') || b == 0x7f)
                return false;
        return true;
    }

    /// <summary>
    /// The index just past the empty line that ends a head (CRLF CRLF, or a
    /// bare LF LF, which RFC 9112 §2.2 lets a recipient accept), or -1 when it
    /// has not arrived yet. Searching starts at <paramref name="from"/>, the
    /// start of a line, so that bytes already searched are not searched again.
    /// </summary>
    /// <param name="bytes">The head so far.</param>
    /// <param name="from">Where the first line not yet known to be complete starts; updated.</param>
    public static int FindHeadEnd(ReadOnlySpan<byte> bytes, ref int from)
    {
        while (true)
        {
            int newline = bytes[from..].IndexOf((byte)'\n');
            if (newline < 0)
                return -1;
            var line = bytes.Slice(from, newline);
            from += newline + 1;
            if (line.IsEmpty || line is [(byte)'\r'])
                return from;
        }
    }

    /// <summary>Splits a complete head into lines, without their CRLF (or LF); the final empty line is dropped.</summary>
    public static List<string> SplitLines(ReadOnlySpan<byte> head)
    {
        var lines = new List<string>();
        while (!head.IsEmpty)
        {
            int newline = head.IndexOf((byte)'\n');
            var line = newline < 0 ? head : head[..newline];
            if (line.EndsWith((byte)'\r'))
                line = line[..^1];
            lines.Add(HeaderEncoding.GetString(line));
            head = newline < 0 ? [] : head[(newline + 1)..];
        }
        if (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    /// <summary>
    /// Parses "HTTP/1.1" into a version. A well-formed version other than 1.0
    /// or 1.1 ("HTTP/2.0") is <see cref="RequestError.UnsupportedVersion"/>;
    /// anything else is malformed (RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT).
    /// </summary>
    public static Version ParseVersion(string text)
    {
        if (text.Length != 8 || !text.StartsWith("HTTP/", StringComparison.Ordinal) ||
            !char.IsAsciiDigit(text[5]) || text[6] != '.' || !char.IsAsciiDigit(text[7]))
            throw new RequestRejectedException(RequestError.Malformed,
                $"'{text}' is not an HTTP version: expected HTTP/1.1 (RFC 9112 §2.3).");
        var version = new Version(text[5] - '0', text[7] - '0');
        if (version != HttpVersion.Version11 && version != HttpVersion.Version10)
            throw new RequestRejectedException(RequestError.UnsupportedVersion,
                $"This server speaks HTTP/1.1 and HTTP/1.0, not {text}.");
        return version;
    }

    /// <summary>
    /// Parses one header field line, <c>name: value</c>, and adds it to
    /// <paramref name="headers"/>: the name is a token followed at once by ':'
    /// (no space before it, RFC 9112 §5.1), the value loses its leading and
    /// trailing spaces and tabs (OWS), and may not hold control characters.
    /// A line that starts with a space or tab is an obsolete folded line,
    /// rejected (RFC 9112 §5.2).
    /// </summary>
    public static void ParseField(string line, HttpHeaders headers)
    {
        throw new NotImplementedException("Lab 03 · step 1: split the line at its first ':': the name before it must be a token (IsToken; a space before ':' is an error), the value after it loses spaces and tabs at both ends (Trim(' ', '\\t')) and must pass IsFieldValue; then headers.Add(name, value). A line starting with a space or tab, a line without ':' or a bad name: throw Malformed(...). Notebook 03 §2, RFC 9112 §5.");
    }

    /// <summary>
    /// The body length a message announces with Content-Length (RFC 9112 §6.3),
    /// or null when it has none. Repeated or comma-listed values must all be the same number.
    /// </summary>
    public static long? ContentLength(HttpHeaders headers)
    {
        var values = headers.GetAll("Content-Length");
        if (values.Count == 0)
            return null;
        long? length = null;
        foreach (var item in values.SelectMany(v => v.Split(',')))
        {
            var digits = item.Trim(' ', '\t');
            if (digits.Length is 0 or > 18 || !digits.All(char.IsAsciiDigit))
                throw Malformed($"Content-Length {Show(digits)} is not a number of bytes (RFC 9110 §8.6).");
            long value = long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
            if (length is not null && length != value)
                throw Malformed($"Content-Length says both {length} and {value}: which body is it? (RFC 9112 §6.3)");
            length = value;
        }
        return length;
    }

    /// <summary>A 400 error with <paramref name="message"/>.</summary>
    public static RequestRejectedException Malformed(string message) => new(RequestError.Malformed, message);

    /// <summary>Text in quotes, cut after 60 characters, control characters made visible.</summary>
    public static string Show(string text)
    {
        var cut = text.Length > 60 ? text[..60] + "…" : text;
        return "\"" + cut.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\0", "\\0") + "\"";
    }

    private static bool[] BuildTokenTable()
    {
        var table = new bool[256];
        for (int c = 0; c < 128; c++)
            table[c] = char.IsAsciiLetterOrDigit((char)c) || "!#$%&'*+-.^_`|~".Contains((char)c);
        return table;
    }
}
