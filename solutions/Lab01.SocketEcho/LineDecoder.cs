using System.Buffers;
using System.Text.Unicode;

namespace Lab01.SocketEcho;

/// <summary>
/// Turns a byte stream into lines, whatever the pieces it arrives in
/// (Sans-I/O: no socket here, bytes in, messages out).
/// </summary>
/// <remarks>
/// <para>Feed it every chunk you receive; it returns each line completed by
/// that chunk (without "\n" or "\r\n") and keeps the rest for the next call.
/// Call <see cref="Finish"/> at the end of the stream.</para>
/// <para>The limit is mandatory: without one, a peer that never sends '\n'
/// makes us buffer forever. A line longer than the limit fails as soon as it
/// is known to be too long, without waiting for its '\n'.</para>
/// </remarks>
public sealed class LineDecoder
{
    private readonly ByteBuffer _pending = new();
    private int _scanned;
    private long _linesDecoded;

    /// <summary>Creates a decoder for lines of at most <paramref name="maxLineLength"/> bytes (not counting "\r\n" or "\n").</summary>
    public LineDecoder(int maxLineLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineLength);
        MaxLineLength = maxLineLength;
    }

    /// <summary>The longest line accepted, in bytes, without its line ending.</summary>
    public int MaxLineLength { get; }

    /// <summary>Bytes held: the start of a line whose '\n' has not arrived yet.</summary>
    public int BufferedByteCount => _pending.Count;

    /// <summary>Adds received bytes; returns every line they complete, in order (maybe none).</summary>
    /// <exception cref="FramingException">A line over the limit, or not valid UTF-8.</exception>
    public IReadOnlyList<string> Feed(ReadOnlySpan<byte> data)
    {
        var lines = new List<string>();
        // BEGIN SOLUTION
        _pending.Append(data);
        while (true)
        {
            ReadOnlySpan<byte> pending = _pending.Span;
            // Only the bytes not searched before: fed one byte at a time, a long
            // line is still scanned once, not once per byte.
            int newline = pending[_scanned..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                _scanned = pending.Length;
                // A '\r' at the very end may be the start of "\r\n": allow it.
                int allowed = MaxLineLength + (pending.Length > 0 && pending[^1] == '\r' ? 1 : 0);
                if (pending.Length > allowed)
                    throw LineTooLong(pending.Length, complete: false);
                break;
            }

            newline += _scanned;
            var line = pending[..newline];
            if (line.EndsWith((byte)'\r'))
                line = line[..^1];
            if (line.Length > MaxLineLength)
                throw LineTooLong(line.Length, complete: true);
            lines.Add(DecodeUtf8(line));
            _pending.Consume(newline + 1);
            _scanned = 0;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 6: append data to _pending; then, while _pending.Span holds a '\\n' (IndexOf((byte)'\\n')): take the bytes before it, drop a final '\\r', check the length (throw LineTooLong(...)), lines.Add(DecodeUtf8(line)), _pending.Consume(length + 1). With no '\\n' left, if _pending is already longer than MaxLineLength, throw LineTooLong(..., complete: false). Notebook 01 §6.");
        return lines;
    }

    /// <summary>Call at the end of the stream (the peer's FIN): checks that no partial line is left.</summary>
    /// <exception cref="FramingException">The stream ended in the middle of a line: those bytes would be lost without a word.</exception>
    public void Finish()
    {
        if (_pending.Count > 0)
            throw new FramingException(
                $"The stream ended in the middle of line {_linesDecoded + 1}: {_pending.Count} bytes arrived without their '\\n'. " +
                "A line is complete only with its '\\n'; dropping the rest silently would lose data.");
    }

    /// <summary>The text of one line, or a <see cref="FramingException"/> if it is not valid UTF-8.</summary>
    private string DecodeUtf8(ReadOnlySpan<byte> line)
    {
        var text = new char[line.Length]; // UTF-8 never has fewer bytes than UTF-16 has chars
        var status = Utf8.ToUtf16(line, text, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new FramingException(
                $"Line {_linesDecoded + 1} is not valid UTF-8: the bytes from offset {read} (0x{line[read]:x2}) do not form a character (RFC 3629).");
        _linesDecoded++;
        return new string(text, 0, written);
    }

    /// <summary>The error for a line over the limit: what was expected, what came.</summary>
    private FramingException LineTooLong(int length, bool complete) => new(complete
        ? $"Line {_linesDecoded + 1} is too long: expected at most {MaxLineLength} bytes before its line ending, got {length}."
        : $"Line {_linesDecoded + 1} is too long: expected at most {MaxLineLength} bytes before '\\n', and {length} bytes have come with no '\\n' yet.");
}
