using System.Text;

namespace Course.Notebooks;

/// <summary>
/// Routes Console.Out and Console.Error to whichever cell is running, so
/// <c>Console.WriteLine</c> in a cell (or in a server the cell started, on
/// another thread) lands under that cell as a stream output. Text written
/// after a cell finished goes to the last cell that ran.
/// </summary>
internal sealed class ConsoleCapture : IDisposable
{
    private readonly TextWriter _originalOut = Console.Out;
    private readonly TextWriter _originalError = Console.Error;
    private readonly object _gate = new();
    private Action<StreamOutput>? _sink;

    public ConsoleCapture()
    {
        Console.SetOut(new Writer(this, "stdout"));
        Console.SetError(new Writer(this, "stderr"));
    }

    /// <summary>Where captured text goes from now on.</summary>
    public void RouteTo(Action<StreamOutput> sink)
    {
        lock (_gate)
            _sink = sink;
    }

    private void Write(string name, string text)
    {
        if (text.Length == 0)
            return;
        lock (_gate)
            _sink?.Invoke(new StreamOutput(name, text));
    }

    public void Dispose()
    {
        Console.SetOut(_originalOut);
        Console.SetError(_originalError);
    }

    private sealed class Writer(ConsoleCapture owner, string name) : TextWriter
    {
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => owner.Write(name, value.ToString());
        public override void Write(string? value) => owner.Write(name, value ?? "");
        public override void Write(char[] buffer, int index, int count) => owner.Write(name, new string(buffer, index, count));
        public override void WriteLine(string? value) => owner.Write(name, (value ?? "") + "\n");
        public override void WriteLine() => owner.Write(name, "\n");
    }
}
