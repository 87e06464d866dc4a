namespace Course.Markers;

/// <summary>
/// Turns a solution file into its starter (nbgrader-style markers):
/// <code>
///     // BEGIN SOLUTION
///     ...reference code, removed from the starter...
///     // END SOLUTION
///     // STARTER: throw new NotImplementedException("Lab 04 · step 2: ... Notebook 04 §3.");
/// </code>
/// A BEGIN/END SOLUTION region is deleted with its markers; a
/// <c>STARTER: code</c> line becomes <c>code</c> at the same indentation.
/// A file whose first marker is <c>SOLUTION FILE</c> is not copied at all.
/// Markers may be written as <c>//</c>, <c>#</c> or <c>&lt;!-- … --&gt;</c> comments.
/// Regions do not nest: a nested or unbalanced marker is an error that names
/// the file and line, never a silently wrong starter.
/// </summary>
public static class SolutionMarkers
{
    public const string Begin = "BEGIN SOLUTION";
    public const string End = "END SOLUTION";
    public const string Starter = "STARTER:";
    public const string SolutionFile = "SOLUTION FILE";

    /// <summary>The starter text, or null when the file is marked SOLUTION FILE.</summary>
    /// <exception cref="CourseException">A malformed, nested or unbalanced marker.</exception>
    public static string? ToStarter(string text, string fileName)
    {
        var output = new System.Text.StringBuilder(text.Length);
        int? openedAt = null;
        var lineNumber = 0;
        var lastWasBlank = true;
        var skipBlank = false;
        foreach (var (line, ending) in Lines(text))
        {
            lineNumber++;
            var marker = Parse(line);
            var skipThisBlank = skipBlank;
            skipBlank = false;
            switch (marker.Kind)
            {
                case MarkerKind.None:
                    // A region removed between two blank lines leaves one blank line, not two.
                    if (openedAt is null && !(skipThisBlank && line.Trim().Length == 0))
                    {
                        output.Append(line).Append(ending);
                        lastWasBlank = line.Trim().Length == 0;
                    }
                    break;
                case MarkerKind.SolutionFile:
                    if (output.ToString().Trim().Length == 0 && openedAt is null)
                        return null;
                    throw Error(fileName, lineNumber, $"'{SolutionFile}' must be the first non-blank line of the file.");
                case MarkerKind.Begin:
                    if (openedAt is int outer)
                        throw Error(fileName, lineNumber, $"'{Begin}' inside the region opened at line {outer}: regions cannot nest; close that one first with '{End}'.");
                    openedAt = lineNumber;
                    break;
                case MarkerKind.End:
                    if (openedAt is null)
                        throw Error(fileName, lineNumber, $"'{End}' without a '{Begin}' before it.");
                    openedAt = null;
                    skipBlank = lastWasBlank;
                    break;
                case MarkerKind.Starter:
                    if (openedAt is int region)
                        throw Error(fileName, lineNumber, $"a '{Starter}' line inside the solution region opened at line {region}; put it after '{End}'.");
                    output.Append(line[..marker.Indent]).Append(marker.Code).Append(ending);
                    lastWasBlank = marker.Code.Length == 0;
                    break;
                case MarkerKind.Malformed:
                    throw Error(fileName, lineNumber, $"malformed marker '{line.Trim()}': write exactly '{Begin}' or '{End}' in a comment.");
            }
        }
        if (openedAt is int open)
            throw Error(fileName, open, $"'{Begin}' has no '{End}'.");
        return output.ToString();
    }

    private static CourseException Error(string fileName, int line, string message) =>
        new($"{fileName}:{line}: {message}");

    private enum MarkerKind { None, Begin, End, Starter, SolutionFile, Malformed }

    private readonly record struct Marker(MarkerKind Kind, int Indent = 0, string Code = "");

    private static Marker Parse(string line)
    {
        var indent = line.Length - line.TrimStart().Length;
        var body = CommentBody(line.Trim());
        if (body is null)
            return default;
        var trimmed = body.Trim();
        if (trimmed == Begin) return new(MarkerKind.Begin);
        if (trimmed == End) return new(MarkerKind.End);
        if (trimmed == SolutionFile) return new(MarkerKind.SolutionFile);
        if (trimmed.StartsWith(Begin, StringComparison.Ordinal) || trimmed.StartsWith(End, StringComparison.Ordinal))
            return new(MarkerKind.Malformed);
        if (trimmed.StartsWith(Starter, StringComparison.Ordinal))
        {
            // "// STARTER: code" keeps the code exactly, less the one space after the colon.
            var code = body.TrimStart()[Starter.Length..];
            if (code.StartsWith(' '))
                code = code[1..];
            return new(MarkerKind.Starter, indent, code.TrimEnd());
        }
        return default;
    }

    /// <summary>The text of a whole-line comment, or null when the line is not one.</summary>
    private static string? CommentBody(string trimmedLine)
    {
        if (trimmedLine.StartsWith("//", StringComparison.Ordinal))
            return trimmedLine[2..];
        if (trimmedLine.StartsWith("<!--", StringComparison.Ordinal) && trimmedLine.EndsWith("-->", StringComparison.Ordinal) && trimmedLine.Length >= 7)
            return trimmedLine[4..^3];
        if (trimmedLine.StartsWith('#'))
            return trimmedLine[1..];
        return null;
    }

    /// <summary>Splits text into lines, each with its own ending ("\n", "\r\n" or "" at the end).</summary>
    private static IEnumerable<(string Line, string Ending)> Lines(string text)
    {
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            if (newline < 0)
            {
                yield return (text[start..], "");
                yield break;
            }
            var hasCr = newline > start && text[newline - 1] == '\r';
            var end = hasCr ? newline - 1 : newline;
            yield return (text[start..end], hasCr ? "\r\n" : "\n");
            start = newline + 1;
        }
    }
}
