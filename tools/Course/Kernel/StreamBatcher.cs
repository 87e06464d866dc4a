namespace Course.Kernel;

/// <summary>
/// Gathers what a cell writes to stdout and stderr and sends it every
/// <see cref="Interval"/>, so a server's log lines appear live without one
/// message per Write. Order between stdout and stderr is kept.
/// </summary>
internal sealed class StreamBatcher : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Action<string, string> _send;
    private readonly List<(string Name, string Text)> _pending = [];
    private readonly object _gate = new();
    private readonly Timer _timer;

    /// <param name="send">Called with (stream name, text), in order, from one flush at a time.</param>
    public StreamBatcher(Action<string, string> send)
    {
        _send = send;
        _timer = new Timer(_ => Flush(), null, Interval, Interval);
    }

    public void Write(string name, string text)
    {
        lock (_gate)
        {
            if (_pending.Count > 0 && _pending[^1].Name == name)
                _pending[^1] = (name, _pending[^1].Text + text);
            else
                _pending.Add((name, text));
        }
    }

    /// <summary>Sends what is pending now (before any other output, and at the end of a cell).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            foreach (var (name, text) in _pending)
                _send(name, text);
            _pending.Clear();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}
