namespace Course.Kernel;

/// <summary>
/// Gathers what a cell writes to stdout and stderr and sends it every
/// <see cref="Interval"/>, so a server's log lines appear live without one
/// message per Write. Order between stdout and stderr is kept.
/// </summary>
internal sealed class StreamBatcher : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    private readonly Action<string, string, JupyterMessage?> _send;
    private readonly List<(string Name, string Text, JupyterMessage? Parent)> _pending = [];
    private readonly object _gate = new();
    private readonly Timer _timer;

    /// <param name="send">Called with (stream name, text, the request it belongs to), in order, one flush at a time.</param>
    public StreamBatcher(Action<string, string, JupyterMessage?> send)
    {
        _send = send;
        _timer = new Timer(_ => Flush(), null, Interval, Interval);
    }

    /// <summary>Text for a stream; <paramref name="parent"/> is fixed now, so text written before the next cell starts stays with its own.</summary>
    public void Write(string name, string text, JupyterMessage? parent)
    {
        lock (_gate)
        {
            if (_pending.Count > 0 && _pending[^1].Name == name && ReferenceEquals(_pending[^1].Parent, parent))
                _pending[^1] = (name, _pending[^1].Text + text, parent);
            else
                _pending.Add((name, text, parent));
        }
    }

    /// <summary>Sends what is pending now (before any other output, and at the end of a cell).</summary>
    public void Flush()
    {
        lock (_gate)
        {
            foreach (var (name, text, parent) in _pending)
                _send(name, text, parent);
            _pending.Clear();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
    }
}
