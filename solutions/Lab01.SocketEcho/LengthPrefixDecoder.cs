using System.Buffers.Binary;

namespace Lab01.SocketEcho;

/// <summary>
/// Turns a byte stream into length-prefixed messages, whatever the pieces it
/// arrives in (Sans-I/O: no socket here, bytes in, messages out).
/// </summary>
/// <remarks>
/// The limit is mandatory: the length comes from the peer, and "4 GiB, trust
/// me" must not make us allocate or wait for 4 GiB. A length over the limit
/// fails as soon as its 4 bytes have arrived.
/// </remarks>
public sealed class LengthPrefixDecoder
{
    private const int HeaderLength = LengthPrefixFraming.HeaderLength;
    private readonly ByteBuffer _pending = new();
    private long _messagesDecoded;

    /// <summary>Creates a decoder for messages of at most <paramref name="maxMessageLength"/> payload bytes.</summary>
    public LengthPrefixDecoder(int maxMessageLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageLength);
        MaxMessageLength = maxMessageLength;
    }

    /// <summary>The largest payload accepted, in bytes.</summary>
    public int MaxMessageLength { get; }

    /// <summary>Bytes held: the start of a message not complete yet.</summary>
    public int BufferedByteCount => _pending.Count;

    /// <summary>Adds received bytes; returns every message they complete, in order (maybe none).</summary>
    /// <exception cref="FramingException">A length prefix over the limit.</exception>
    public IReadOnlyList<byte[]> Feed(ReadOnlySpan<byte> data)
    {
        var messages = new List<byte[]>();
        // BEGIN SOLUTION
        _pending.Append(data);
        while (_pending.Count >= HeaderLength)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(_pending.Span);
            if (length > (uint)MaxMessageLength)
                throw LengthOverLimit(length);
            int total = HeaderLength + (int)length;
            if (_pending.Count < total)
                break;
            messages.Add(_pending.Span[HeaderLength..total].ToArray());
            _pending.Consume(total);
            _messagesDecoded++;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 7: append data to _pending; then, while it holds a 4-byte header: uint length = BinaryPrimitives.ReadUInt32BigEndian(_pending.Span); over MaxMessageLength → throw LengthOverLimit(length) at once; if the whole payload is there, messages.Add(its bytes), _pending.Consume(4 + length), _messagesDecoded++; else wait for more. Notebook 01 §6.");
        return messages;
    }

    /// <summary>Call at the end of the stream (the peer's FIN): checks that no partial message is left.</summary>
    /// <exception cref="FramingException">The stream ended in the middle of a message: those bytes would be lost without a word.</exception>
    public void Finish()
    {
        if (_pending.Count == 0)
            return;
        string got = _pending.Count < HeaderLength
            ? $"{_pending.Count} of the {HeaderLength} length bytes"
            : $"{_pending.Count - HeaderLength} of its {BinaryPrimitives.ReadUInt32BigEndian(_pending.Span)} payload bytes";
        throw new FramingException(
            $"The stream ended in the middle of message {_messagesDecoded + 1}: got {got}. Dropping them silently would lose data.");
    }

    /// <summary>The error for a length over the limit: what was expected, what came.</summary>
    private FramingException LengthOverLimit(uint length)
    {
        var header = _pending.Span[..HeaderLength];
        return new FramingException(
            $"Message {_messagesDecoded + 1} is too long: its length prefix {header[0]:x2} {header[1]:x2} {header[2]:x2} {header[3]:x2} says {length} bytes, " +
            $"expected at most {MaxMessageLength}.");
    }
}
