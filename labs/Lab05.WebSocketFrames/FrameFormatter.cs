using System.Text;

namespace Lab05.WebSocketFrames;

/// <summary>
/// Frames as annotated hex, one line per frame: the header's bytes as sent,
/// what they say, then the payload (unmasked) and, where it is text, the
/// text. The notebooks, the snapshots and the servers' logs use it:
/// <code>
/// 81 05 | FIN text len=5 | 48 65 6c 6c 6f "Hello"
/// 81 85 37 fa 21 3d | FIN text MASK=37fa213d len=5 | 48 65 6c 6c 6f "Hello"
/// 88 02 | FIN close len=2 | 03 e8 code=1000 (Normal Closure)
/// </code>
/// It describes what it is given, valid or not (a reserved opcode is shown
/// as op=0x3); it does not check the rules: that is the decoder's job.
/// </summary>
public static class FrameFormatter
{
    /// <summary>Payload bytes shown in hex before the rest is summed up as "… +N bytes".</summary>
    public const int PayloadBytesShown = 16;

    /// <summary>
    /// The middle part of a line: FIN (when set), RSV1-3 (when set), the
    /// opcode's name, MASK=key in hex (when masked), and the length with
    /// the size of its field when it needed more than 7 bits.
    /// For example <c>FIN text len=5</c>, <c>binary MASK=37fa213d len=256 (16-bit)</c>.
    /// </summary>
    public static string Describe(FrameHeader header)
    {
        throw new NotImplementedException("Lab 05 · step 11: join with spaces: \"FIN\" when Fin; \"RSV1\", \"RSV2\", \"RSV3\" for each bit set; header.Opcode.Name(); \"MASK=\" and the key as 8 hex digits ({key:x8}) when masked; \"len=N\", followed by \" (16-bit)\" or \" (64-bit)\" when the length needed that field. E.g. \"FIN text len=5\". Notebook 05 §2.");
    }

    /// <summary>
    /// One line per frame in <paramref name="bytes"/>, as sent (masked or not).
    /// A frame cut short at the end is shown as incomplete; bytes that are no
    /// header end the listing with the reason.
    /// </summary>
    public static string Format(ReadOnlySpan<byte> bytes)
    {
        var lines = new List<string>();
        Opcode? message = null; // the type of an open fragmented message, for its continuation frames
        while (!bytes.IsEmpty)
        {
            FrameHeader header;
            int size;
            try
            {
                if (!FrameHeader.TryRead(bytes, out header, out size))
                {
                    lines.Add($"{Hex(bytes)} | incomplete header ({bytes.Length} byte{(bytes.Length == 1 ? "" : "s")})");
                    break;
                }
            }
            catch (WebSocketProtocolException e)
            {
                lines.Add($"{Hex(bytes[..Math.Min(bytes.Length, FrameHeader.MaxSize)])} | not a valid header: {e.Error}");
                break;
            }

            long available = bytes.Length - size;
            int shown = (int)Math.Min(available, header.PayloadLength);
            var payload = bytes.Slice(size, shown).ToArray();
            if (header.MaskingKey is uint key)
                Masking.Apply(payload, key, 0);

            var kind = header.Opcode == Opcode.Continuation ? message ?? Opcode.Continuation : header.Opcode;
            if (header.Opcode.IsData() && header.Opcode.IsDefined())
                message = header.Fin ? null : kind;

            string content = shown < header.PayloadLength
                ? $"incomplete: {shown} of {header.PayloadLength} bytes{(shown > 0 ? " " + Payload(payload, kind) : "")}"
                : Payload(payload, kind);
            lines.Add($"{Hex(bytes[..size])} | {Describe(header)}{(content.Length > 0 ? " | " + content : "")}");
            bytes = bytes[(size + shown)..];
        }
        return string.Join('\n', lines);
    }

    /// <summary>
    /// One frame, unmasked, as a line. Unlike <see cref="FrameEncoder"/> it
    /// shows frames that break the rules too (a reserved opcode, a long ping).
    /// </summary>
    public static string Format(Frame frame)
    {
        var header = new FrameHeader(frame.Fin, frame.Opcode, frame.Payload.Length, MaskingKey: null, frame.Reserved);
        var bytes = new byte[header.Size + frame.Payload.Length];
        int at = header.WriteTo(bytes);
        frame.Payload.Span.CopyTo(bytes.AsSpan(at));
        return Format(bytes);
    }

    private static string Payload(ReadOnlySpan<byte> payload, Opcode kind)
    {
        if (payload.IsEmpty)
            return "";
        var shown = payload[..Math.Min(payload.Length, PayloadBytesShown)];
        string more = payload.Length > shown.Length ? $" … +{payload.Length - shown.Length} bytes" : "";
        string hex = Hex(shown) + more;
        if (kind == Opcode.Close)
        {
            if (payload.Length < 2)
                return hex + " (a close payload is 0 or at least 2 bytes)";
            int code = (payload[0] << 8) | payload[1];
            string reason = payload.Length > 2 ? " reason=" + Quote(payload[2..]) : "";
            return $"{hex} code={code} ({CloseCodes.Describe(code)}){reason}";
        }
        // Text, text fragments and control payloads that are text read best as text too; binary is hex only.
        bool isText = kind is Opcode.Text or Opcode.Ping or Opcode.Pong || (kind == Opcode.Continuation && Utf8Validator.IsValid(payload));
        return isText ? $"{hex} {Quote(more.Length > 0 ? WholeCharacters(shown) : shown)}{(more.Length > 0 ? "…" : "")}" : hex;
    }

    // A preview cut at 16 bytes may end inside a character: quote up to the last whole one.
    private static ReadOnlySpan<byte> WholeCharacters(ReadOnlySpan<byte> utf8)
    {
        int end = 0;
        while (end < utf8.Length)
        {
            if (Rune.DecodeFromUtf8(utf8[end..], out _, out int used) == System.Buffers.OperationStatus.NeedMoreData)
                break;
            end += used;
        }
        return utf8[..end];
    }

    /// <summary>Bytes as lower-case hex pairs separated by spaces.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2")));

    /// <summary>
    /// Text in double quotes: printable characters as they are; quotes,
    /// backslashes, control characters and bytes that are not UTF-8 escaped
    /// (\", \\, \n, \r, \t, \xNN for a byte or an ASCII control, \uNNNN for other controls).
    /// </summary>
    public static string Quote(ReadOnlySpan<byte> utf8)
    {
        var text = new StringBuilder("\"");
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out int used);
            if (status != System.Buffers.OperationStatus.Done)
            {
                foreach (byte b in utf8[..used])
                    text.Append($"\\x{b:x2}");
            }
            else if (rune.Value == '"' || rune.Value == '\\')
                text.Append('\\').Append((char)rune.Value);
            else if (rune.Value == '\n')
                text.Append("\\n");
            else if (rune.Value == '\r')
                text.Append("\\r");
            else if (rune.Value == '\t')
                text.Append("\\t");
            else if (Rune.IsControl(rune))
                text.Append(rune.Value < 0x80 ? $"\\x{rune.Value:x2}" : $"\\u{rune.Value:x4}");
            else
                text.Append(rune.ToString());
            utf8 = utf8[used..];
        }
        return text.Append('"').ToString();
    }
}
