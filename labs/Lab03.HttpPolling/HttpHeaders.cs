using System.Collections;

namespace Lab03.HttpPolling;

/// <summary>
/// The header fields of a request or response, in the order they came.
/// Names compare case-insensitively (RFC 9110 §5.1); a name may repeat.
/// </summary>
public sealed class HttpHeaders : IEnumerable<KeyValuePair<string, string>>
{
    private readonly List<KeyValuePair<string, string>> _fields = [];

    /// <summary>How many fields (a repeated name counts each time).</summary>
    public int Count => _fields.Count;

    /// <summary>Adds a field at the end; an existing field of the same name stays.</summary>
    public void Add(string name, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        // A CR or LF in a field would end it and start another (response
        // splitting, if a value ever echoes request data): refuse it here.
        if (!HttpSyntax.IsToken(name))
            throw new ArgumentException($"Header name {HttpSyntax.Show(name)} is not a token (RFC 9110 §5.6.2).", nameof(name));
        if (!HttpSyntax.IsFieldValue(HttpSyntax.HeaderEncoding.GetBytes(value)))
            throw new ArgumentException($"The value of header {name} holds a control character (RFC 9110 §5.5).", nameof(value));
        _fields.Add(new(name, value));
    }

    /// <summary>Whether a field of that name is present, whatever its case.</summary>
    public bool Contains(string name) => _fields.Exists(f => Matches(f, name));

    /// <summary>Every value of the fields named <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<string> GetAll(string name) => _fields.Where(f => Matches(f, name)).Select(f => f.Value).ToArray();

    /// <summary>
    /// The value of <paramref name="name"/>, or null when absent. A repeated
    /// field gives its values joined with ", ": RFC 9110 §5.3 says a recipient
    /// may combine them so, in order, without changing the meaning.
    /// </summary>
    public string? Get(string name)
    {
        var values = GetAll(name);
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>
    /// Whether the comma-separated list in field <paramref name="name"/> holds
    /// <paramref name="token"/>, case-insensitively: <c>Connection: keep-alive, Close</c>
    /// holds "close" (RFC 9110 §5.6.1 lists, §7.6.1 Connection).
    /// </summary>
    public bool HasToken(string name, string token)
    {
        foreach (var value in GetAll(name))
            foreach (var item in value.Split(','))
                if (item.Trim().Equals(token, StringComparison.OrdinalIgnoreCase))
                    return true;
        return false;
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _fields.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static bool Matches(KeyValuePair<string, string> field, string name) =>
        field.Key.Equals(name, StringComparison.OrdinalIgnoreCase);
}
