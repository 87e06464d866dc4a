namespace Course;

/// <summary>One stage of the course: a notebook, a lab project, its tests.</summary>
public sealed record LabInfo(string Number, string Project, string Notebook, string Title, string Builds)
{
    public string TestProject => Project + ".Tests";
    public string NotebookPath(Repo repo) => Path.Combine(repo.Notebooks, Notebook);
    public string TestProjectPath(Repo repo) => Path.Combine(repo.Tests, TestProject, TestProject + ".csproj");
    public string LabFolder(Repo repo, string track) => Path.Combine(repo.TrackFolder(track), Project);

    /// <summary>A lab is available once its tests exist; the rest of the map is still to come.</summary>
    public bool IsAvailable(Repo repo) => File.Exists(TestProjectPath(repo));
}

/// <summary>The whole arc of the course (README's course map says the same).</summary>
public static class CourseMap
{
    public static IReadOnlyList<LabInfo> Labs { get; } =
    [
        new("01", "Lab01.SocketEcho", "01-socket-echo.ipynb", "Socket echo",
            "an echo server and client on Socket; TCP is a byte stream; line and length-prefix framing"),
        new("02", "Lab02.TcpLifecycle", "02-tcp-lifecycle.ipynb", "TCP lifecycle",
            "the three-way handshake and four-way close, seen from code and captured as a ladder"),
        new("03", "Lab03.HttpPolling", "03-http-polling.ipynb", "HTTP polling",
            "HTTP/1.1 on raw sockets; short and long polling, measured"),
        new("04", "Lab04.WebSocketHandshake", "04-websocket-handshake.ipynb", "WebSocket handshake",
            "the Upgrade request and 101 response, both sides"),
        new("05", "Lab05.WebSocketFrames", "05-websocket-frames.ipynb", "WebSocket frames",
            "a Sans-I/O frame codec: lengths, masking, fragmentation, control frames, UTF-8"),
        new("06", "Lab06.WebSocketServer", "06-websocket-server.ipynb", "WebSocket server",
            "the complete server: keepalive, closing handshake, pool, chat page"),
        new("07", "Lab07.WebSocketClient", "07-websocket-client.ipynb", "WebSocket client",
            "a client with the browser's API shape"),
        new("08", "Lab08.Measuring", "08-measuring.ipynb", "Measuring",
            "polling vs long polling vs WebSocket, measured and plotted"),
        new("09", "Lab09.Extensions", "09-extensions.ipynb", "Extensions",
            "wss (TLS) and permessage-deflate"),
        new("10", "Lab10.BeyondOneMachine", "10-beyond-one-machine.ipynb", "Beyond one machine",
            "chat over several processes with a Redis backplane behind a reverse proxy"),
    ];

    /// <summary>Finds a lab by "1", "01", or "Lab01".</summary>
    public static LabInfo Find(string id)
    {
        var digits = id.Trim();
        if (digits.StartsWith("lab", StringComparison.OrdinalIgnoreCase))
            digits = digits[3..];
        if (int.TryParse(digits, out var n))
        {
            var lab = Labs.FirstOrDefault(l => int.Parse(l.Number) == n);
            if (lab is not null)
                return lab;
        }
        throw new CourseException($"Unknown lab '{id}'. Labs are 01 to {Labs[^1].Number}; run ./course to see the map.");
    }

    /// <summary>Finds a lab that is available in this repository, or says why it is not.</summary>
    public static LabInfo FindAvailable(Repo repo, string id)
    {
        var lab = Find(id);
        if (!lab.IsAvailable(repo))
            throw new CourseException($"Lab {lab.Number} ({lab.Title}) is not in this repository yet: {repo.Relative(lab.TestProjectPath(repo))} does not exist.");
        return lab;
    }

    public static IEnumerable<LabInfo> Available(Repo repo) => Labs.Where(l => l.IsAvailable(repo));
}
