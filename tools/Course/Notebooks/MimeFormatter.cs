using System.Buffers.Binary;

namespace Course.Notebooks;

/// <summary>HTML to show under a cell (a value from <c>HTML("...")</c>).</summary>
public sealed record HtmlContent(string Html)
{
    public override string ToString() => Html;
}

/// <summary>A PNG image to show under a cell (a value from <c>PNG(bytes)</c>).</summary>
public sealed record PngImage(byte[] Bytes, int Width, int Height)
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Checks the bytes really are a PNG (signature, then the IHDR chunk with the size).</summary>
    public static PngImage From(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        // PNG spec §5.2 (signature) and §11.2.2 (IHDR: width and height, 4 bytes each, big-endian, first).
        if (bytes.Length < 24 || !bytes.AsSpan(0, 8).SequenceEqual(Signature) || !bytes.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw new ArgumentException($"PNG(bytes) needs the bytes of a PNG file; these {bytes.Length} bytes do not start with the PNG signature and IHDR chunk.", nameof(bytes));
        return new PngImage(bytes, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    public override string ToString() => $"PNG image, {Width}×{Height} pixels";
}

/// <summary>
/// Turns a value into the MIME bundle a notebook shows (nbformat's "data":
/// MIME type → content): always text/plain, plus text/html for HTML and
/// image/png (base64) for a PNG, so any front end shows the richest form it
/// can and a plain one otherwise.
/// </summary>
public static class MimeFormatter
{
    public static IReadOnlyDictionary<string, string> Format(object? value) => value switch
    {
        HtmlContent html => new Dictionary<string, string> { ["text/html"] = html.Html, ["text/plain"] = html.Html },
        PngImage png => new Dictionary<string, string> { ["image/png"] = Convert.ToBase64String(png.Bytes), ["text/plain"] = png.ToString() },
        _ => new Dictionary<string, string> { ["text/plain"] = TextFormatter.Format(value) },
    };
}
