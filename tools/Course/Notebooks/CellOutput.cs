namespace Course.Notebooks;

/// <summary>
/// What a cell produced, in the shapes of Jupyter's nbformat 4 outputs
/// (https://nbformat.readthedocs.io, "Code cell outputs"), so the runner can
/// store them in the .ipynb and the course kernel can send them as messages.
/// </summary>
public abstract record CellOutput;

/// <summary>Text the cell wrote to stdout or stderr.</summary>
public sealed record StreamOutput(string Name, string Text) : CellOutput;

/// <summary>A value shown with display(x): MIME type → content.</summary>
public sealed record DisplayOutput(IReadOnlyDictionary<string, string> Data) : CellOutput;

/// <summary>The value of the cell's last expression (like a REPL's).</summary>
public sealed record ExecuteResultOutput(IReadOnlyDictionary<string, string> Data) : CellOutput;

/// <summary>A compile error or an exception: the cell failed.</summary>
public sealed record ErrorOutput(string EName, string EValue, IReadOnlyList<string> Traceback) : CellOutput
{
    /// <summary>An error without a stack; its traceback is "EName: EValue", since front ends show the traceback.</summary>
    public static ErrorOutput Of(string ename, string evalue) => new(ename, evalue, [$"{ename}: {evalue}"]);
}
