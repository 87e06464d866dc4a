using System.Text;

namespace Course.Testing;

/// <summary>
/// A conversation written down as readable lines, for failure messages and
/// snapshots:
/// <code>
/// client: connect → connected
/// client → server  6 bytes  "hello␊"
/// server → client  6 bytes  "hello␊"
/// client: shutdown(Send), FIN sent
/// </code>
/// </summary>
/// <remarks>
/// Thread-safe: lines may be added from several tasks; they keep the order of
/// the calls. For a snapshot, add lines only at points whose order is fixed
/// (after an await, not from callbacks that race), so the text is the same on
/// every run.
/// </remarks>
public sealed class Transcript
{
    private readonly object _gate = new();
    private readonly List<string> _lines = [];

    /// <summary>Creates a transcript between two named parties.</summary>
    public Transcript(string client = "client", string server = "server")
    {
        Client = client;
        Server = server;
    }

    /// <summary>The name of the client side.</summary>
    public string Client { get; }

    /// <summary>The name of the server side.</summary>
    public string Server { get; }

    /// <summary>The longest payload shown in full; longer ones are cut with "…".</summary>
    public int MaxBytesShown { get; init; } = 64;

    /// <summary>Bytes the client sent: <c>client → server  6 bytes  "hello␊"</c>.</summary>
    public void ClientSent(ReadOnlySpan<byte> bytes) => Data(Client, Server, bytes);

    /// <summary>Bytes the server sent: <c>server → client  6 bytes  "hello␊"</c>.</summary>
    public void ServerSent(ReadOnlySpan<byte> bytes) => Data(Server, Client, bytes);

    /// <summary>Bytes from one party to another.</summary>
    public void Data(string from, string to, ReadOnlySpan<byte> bytes) =>
        Add($"{from} → {to}  {Count(bytes.Length)}  {Visible.Quoted(bytes, MaxBytesShown)}");

    /// <summary>
    /// Bytes from one party to another, one line of the protocol per line of
    /// the transcript, for line-based protocols such as HTTP:
    /// <code>
    /// client → server  46 bytes
    ///   GET /messages?since=0 HTTP/1.1␍␊
    ///   Host: test␍␊
    ///   ␍␊
    /// </code>
    /// A last piece without a line ending (an HTTP body) is marked as such.
    /// </summary>
    public void DataByLine(string from, string to, ReadOnlySpan<byte> bytes)
    {
        var pieces = Visible.Escape(bytes, MaxBytesShown).Split('␊');
        lock (_gate)
        {
            _lines.Add($"{from} → {to}  {Count(bytes.Length)}");
            for (int i = 0; i < pieces.Length - 1; i++)
                _lines.Add("  " + pieces[i] + "␊");
            if (pieces[^1].Length > 0)
                _lines.Add("  " + pieces[^1] + "   (the body, with no line ending)");
        }
    }

    /// <summary>Something a party did: <c>client: shutdown(Send), FIN sent</c>.</summary>
    public void Event(string who, string what) => Add($"{who}: {what}");

    /// <summary>A comment for the reader: <c># the server echoes what it reads</c>.</summary>
    public void Note(string text) => Add($"# {text}");

    /// <summary>A blank line and a heading: <c>== server log ==</c>.</summary>
    public void Heading(string title)
    {
        lock (_gate)
        {
            if (_lines.Count > 0)
                _lines.Add("");
            _lines.Add($"== {title} ==");
        }
    }

    /// <summary>A line as it is.</summary>
    public void Add(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        lock (_gate)
            _lines.Add(line);
    }

    /// <summary>A copy of the lines so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
                return _lines.ToArray();
        }
    }

    /// <summary>The lines, each ended by '\n': the text of a snapshot.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var line in Lines)
            text.Append(line).Append('\n');
        return text.ToString();
    }

    private static string Count(int bytes) => bytes == 1 ? "1 byte" : $"{bytes} bytes";
}
