using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Course.Notebooks;

/// <summary>A cell of a notebook: its index among all cells (0-based), kind and source.</summary>
public sealed record NotebookCell(int Index, string CellType, string Source, string Language)
{
    public bool IsCode => CellType == "code";

    /// <summary>The first non-blank line, to name the cell in a message.</summary>
    public string FirstLine => Source.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
}

/// <summary>
/// A Jupyter notebook (.ipynb, nbformat 4) read as JSON: its cells, and the
/// outputs the runner stores back. Everything the runner does not touch is
/// kept as it was.
/// </summary>
public sealed class NotebookDocument
{
    private readonly JsonObject _root;
    private readonly JsonArray _cells;

    private NotebookDocument(string path, JsonObject root, JsonArray cells)
    {
        Path = path;
        _root = root;
        _cells = cells;
    }

    public string Path { get; }

    public static NotebookDocument Load(string path)
    {
        if (!File.Exists(path))
            throw new CourseException($"Notebook not found: {path}");
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new CourseException($"{path} is not valid JSON ({e.Message}); an .ipynb is a JSON document.");
        }
        if (node is not JsonObject root || root["cells"] is not JsonArray cells)
            throw new CourseException($"{path} is not a Jupyter notebook: no \"cells\" array at the top level.");
        if (root["nbformat"]?.GetValueKind() != JsonValueKind.Number || root["nbformat"]!.GetValue<int>() != 4)
            throw new CourseException($"{path}: only nbformat 4 notebooks are supported.");
        var document = new NotebookDocument(path, root, cells);
        _ = document.Cells; // validate every cell now, with a message naming it
        return document;
    }

    /// <summary>The default language of code cells (C# unless the metadata says otherwise).</summary>
    public string DefaultLanguage =>
        _root["metadata"]?["polyglot_notebook"]?["defaultKernelName"]?.GetValue<string>()
        ?? _root["metadata"]?["language_info"]?["name"]?.GetValue<string>()
        ?? "csharp";

    public IReadOnlyList<NotebookCell> Cells => _cells.Select((c, i) => ReadCell(c, i)).ToList();

    private NotebookCell ReadCell(JsonNode? cell, int index)
    {
        if (cell is not JsonObject obj || obj["cell_type"]?.GetValueKind() != JsonValueKind.String)
            throw new CourseException($"{Path}: cell {index + 1} has no cell_type.");
        var type = obj["cell_type"]!.GetValue<string>();
        var source = obj["source"] switch
        {
            JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
            JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            null => "",
            _ => throw new CourseException($"{Path}: cell {index + 1} has a source that is neither a string nor a list of strings."),
        };
        var language = obj["metadata"]?["polyglot_notebook"]?["kernelName"]?.GetValue<string>()
            ?? obj["metadata"]?["dotnet_interactive"]?["language"]?.GetValue<string>()
            ?? DefaultLanguage;
        return new NotebookCell(index, type, source, language);
    }

    /// <summary>Stores a code cell's execution count and outputs, in nbformat's shapes.</summary>
    public void SetOutputs(int index, int executionCount, IReadOnlyList<CellOutput> outputs)
    {
        var cell = (JsonObject)_cells[index]!;
        cell["execution_count"] = executionCount;
        var array = new JsonArray();
        foreach (var output in outputs)
            array.Add(ToJson(output, executionCount));
        cell["outputs"] = array;
    }

    private static JsonObject ToJson(CellOutput output, int executionCount) => output switch
    {
        StreamOutput s => new JsonObject { ["name"] = s.Name, ["output_type"] = "stream", ["text"] = MultilineString(s.Text) },
        DisplayOutput d => new JsonObject { ["data"] = Data(d.Data), ["metadata"] = new JsonObject(), ["output_type"] = "display_data" },
        ExecuteResultOutput r => new JsonObject
        {
            ["data"] = Data(r.Data), ["execution_count"] = executionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result",
        },
        ErrorOutput e => new JsonObject
        {
            ["ename"] = e.EName, ["evalue"] = e.EValue, ["output_type"] = "error",
            ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode?)JsonValue.Create(l)).ToArray()),
        },
        _ => throw new ArgumentOutOfRangeException(nameof(output)),
    };

    private static JsonObject Data(IReadOnlyDictionary<string, string> data)
    {
        var obj = new JsonObject();
        foreach (var (mime, content) in data.OrderBy(d => d.Key, StringComparer.Ordinal))
            obj[mime] = MultilineString(content);
        return obj;
    }

    /// <summary>nbformat's multiline string: a list of lines, each but the last ending in "\n".</summary>
    private static JsonArray MultilineString(string text)
    {
        var lines = new JsonArray();
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline + 1;
            lines.Add(text[start..end]);
            start = end;
        }
        return lines;
    }

    /// <summary>Names the kernel (and language) that Jupyter clients should start for this notebook.</summary>
    public void UseKernel(JsonObject kernelspec, JsonObject languageInfo)
    {
        var metadata = _root["metadata"] as JsonObject ?? [];
        metadata["kernelspec"] = kernelspec;
        metadata["language_info"] = languageInfo;
        _root["metadata"] = metadata;
    }

    /// <summary>Writes the notebook as Jupyter does: one-space indent, UTF-8 unescaped, final newline.</summary>
    public void Save() => SaveAs(Path);

    /// <inheritdoc cref="Save"/>
    public void SaveAs(string path)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 1,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        File.WriteAllText(path, _root.ToJsonString(options) + "\n");
    }
}
