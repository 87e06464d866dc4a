namespace Course.Notebooks;

/// <summary>
/// The members every cell can use without a prefix, as in .NET Interactive:
/// <c>display(x)</c> shows a value under the cell, <c>HTML(...)</c> and
/// <c>PNG(...)</c> make rich values to display, and <c>CellCancellation</c>
/// is signalled when the cell is interrupted.
/// </summary>
public sealed class NotebookGlobals
{
    private readonly Action<object?> _display;

    internal NotebookGlobals(Action<object?> display) => _display = display;

    /// <summary>
    /// Signalled when the running cell is interrupted (the kernel's interrupt
    /// button, or the runner's time limit). Pass it to loops and awaits that
    /// should stop then: <c>await server.RunAsync(CellCancellation)</c>.
    /// </summary>
    public CancellationToken CellCancellation { get; internal set; }

#pragma warning disable IDE1006 // the names match .NET Interactive's, which notebooks already use
    /// <summary>Shows <paramref name="value"/> under the cell (see <see cref="MimeFormatter"/>).</summary>
    public void display(object? value) => _display(value);
#pragma warning restore IDE1006

    /// <summary>HTML to show under the cell: <c>display(HTML("&lt;b&gt;hi&lt;/b&gt;"))</c>.</summary>
    public HtmlContent HTML(string html) => new(html);

    /// <summary>A PNG image to show under the cell, e.g. a plot: <c>display(PNG(bytes))</c>.</summary>
    public PngImage PNG(byte[] png) => PngImage.From(png);
}
