namespace Lab01.SocketEcho;

/// <summary>
/// The bytes a decoder holds between two Feed calls: appended at the end,
/// consumed from the front.
/// </summary>
/// <remarks>
/// One array, reused: consuming only moves a start index, and the bytes are
/// moved to the front only when the end runs out of room, so feeding a long
/// stream costs no allocation per message beyond the messages themselves.
/// </remarks>
public sealed class ByteBuffer
{
    private byte[] _bytes = new byte[256];
    private int _start;
    private int _count;

    /// <summary>How many bytes are held.</summary>
    public int Count => _count;

    /// <summary>The bytes held, oldest first. Valid until the next Append or Consume.</summary>
    public ReadOnlySpan<byte> Span => _bytes.AsSpan(_start, _count);

    /// <summary>Adds <paramref name="data"/> at the end.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_bytes.Length - _start - _count < data.Length)
        {
            int needed = _count + data.Length;
            var target = needed <= _bytes.Length ? _bytes : new byte[Math.Max(needed, _bytes.Length * 2)];
            _bytes.AsSpan(_start, _count).CopyTo(target);
            _bytes = target;
            _start = 0;
        }
        data.CopyTo(_bytes.AsSpan(_start + _count));
        _count += data.Length;
    }

    /// <summary>Takes every byte held, oldest first, and holds nothing more.</summary>
    public byte[] TakeAll()
    {
        var bytes = Span.ToArray();
        Consume(bytes.Length);
        return bytes;
    }

    /// <summary>Drops the first <paramref name="length"/> bytes.</summary>
    public void Consume(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _count);
        _start += length;
        _count -= length;
        if (_count == 0)
            _start = 0;
    }
}
