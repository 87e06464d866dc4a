namespace Course.Notebooks;

/// <summary>
/// The members every cell can call without a prefix, as in .NET Interactive:
/// <c>display(x)</c> shows a value under the cell.
/// </summary>
public sealed class NotebookGlobals
{
    private readonly Action<object?> _display;

    internal NotebookGlobals(Action<object?> display) => _display = display;

    /// <summary>Shows <paramref name="value"/> under the cell (text/plain).</summary>
#pragma warning disable IDE1006 // the name matches .NET Interactive's display(), which notebooks already use
    public void display(object? value) => _display(value);
#pragma warning restore IDE1006
}
