using System.Text;

namespace Course.Testing;

/// <summary>
/// A thread-safe list of log lines (a server's <c>Log</c> event, a proxy's
/// notes) that tests can wait on and print in failure messages.
/// </summary>
/// <remarks>
/// Hook it to a lab's log event: <c>server.Log += log.Add;</c>. Lines arrive
/// from many threads; their order is the order of <see cref="Add"/>.
/// </remarks>
public sealed class LineLog
{
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    /// <summary>Creates an empty log with a title used by <see cref="Describe"/>, e.g. "server log".</summary>
    public LineLog(string title = "log") => Title = title;

    /// <summary>The title printed above the lines.</summary>
    public string Title { get; }

    /// <summary>Appends a line and wakes whoever waits for a line like it.</summary>
    public void Add(string line)
    {
        List<TaskCompletionSource<string>>? wake = null;
        lock (_gate)
        {
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    (wake ??= []).Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }
        // Completed outside the lock, and asynchronously (see WaitForAsync), so
        // a waiter's continuation never runs on the logging thread.
        wake?.ForEach(found => found.TrySetResult(line));
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

    /// <summary>
    /// Waits, within the bound, for a line that matches (one already logged counts) and returns it.
    /// On timeout the message shows the log.
    /// </summary>
    public Task<string> WaitForAsync(Func<string, bool> match, TimeSpan bound, string what)
    {
        ArgumentNullException.ThrowIfNull(match);
        TaskCompletionSource<string> found;
        lock (_gate)
        {
            foreach (var line in _lines)
                if (match(line))
                    return Task.FromResult(line);
            found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
        }
        return WaitAsync(found, match, bound, what);
    }

    private async Task<string> WaitAsync(TaskCompletionSource<string> found, Func<string, bool> match, TimeSpan bound, string what)
    {
        try
        {
            return await found.Task.Within(bound, what, () => Describe()).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
                _waiters.RemoveAll(w => w.Found == found);
        }
    }

    /// <summary>
    /// The last lines, indented under the title, for failure messages:
    /// <code>
    /// server log (3 lines):
    ///   listening on 127.0.0.1:40123 (backlog 128)
    ///   accepted 127.0.0.1:51234
    ///   ...
    /// </code>
    /// </summary>
    public string Describe(int lastLines = 40)
    {
        var lines = Lines;
        var text = new StringBuilder();
        text.Append(Title).Append(" (").Append(lines.Count).Append(lines.Count == 1 ? " line" : " lines");
        if (lines.Count > lastLines)
            text.Append(", the last ").Append(lastLines);
        text.Append(lines.Count == 0 ? "): nothing logged" : "):");
        foreach (var line in lines.Skip(Math.Max(0, lines.Count - lastLines)))
            text.AppendLine().Append("  ").Append(line);
        return text.ToString();
    }

    /// <inheritdoc cref="Describe"/>
    public override string ToString() => Describe();
}
