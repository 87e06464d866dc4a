using System.Numerics;

namespace Lab05.WebSocketFrames;

/// <summary>
/// Bytes in, frames out, with no I/O: give it whatever the socket returned,
/// one byte or many frames at a time, and it yields the same frames. Between
/// calls it holds at most a partial header (14 bytes) and the payload of the
/// frame being received.
///
/// Every rule that the header alone decides is checked as soon as the
/// header is complete, before a byte of payload is stored: reserved bits and
/// opcodes, the masking direction, control-frame rules, the order of
/// fragments, and the limits. The UTF-8 of text is checked as it arrives,
/// piece by piece, not when its frame ends (§8.1). Input that breaks a rule
/// throws <see cref="WebSocketProtocolException"/> (its <c>CloseCode</c> says
/// how to fail the connection), and the decoder refuses to go on.
///
/// Not thread-safe: one receive loop owns it.
/// </summary>
public sealed class FrameDecoder
{
    private readonly byte[] headerBytes = new byte[FrameHeader.MaxSize];
    private int headerCount;          // bytes of a header received so far, while it is incomplete

    private FrameHeader? header;      // the header of the frame being received, once complete
    private byte[] payload = [];      // grows as the payload arrives (PayloadSpace), never past its length
    private int payloadLength;        // the length the header announced
    private int payloadReceived;
    private int maskOffset;           // where in the key the next payload byte is (Masking)

    private Opcode? messageType;      // Text or Binary while a fragmented message is open
    private int messageFragments;     // frames of that message so far
    private long messageLength;       // bytes of that message so far

    private readonly Utf8Validator text = new(); // the UTF-8 of the current text message, checked as it arrives
    private bool payloadIsText;       // whether the current frame carries text to check

    private WebSocketProtocolException? failure;

    /// <summary>A decoder for the <paramref name="role"/> end: a server's decoder reads a client's (masked) frames, a client's a server's.</summary>
    /// <param name="role">The end this decoder runs at.</param>
    /// <param name="limits">Message size and fragment limits; <see cref="FrameLimits.Default"/> when null.</param>
    /// <param name="allowedReservedBits">RSV bits a negotiated extension gave meaning to (none without one).</param>
    public FrameDecoder(Role role, FrameLimits? limits = null, ReservedBits allowedReservedBits = ReservedBits.None)
    {
        Role = role;
        Limits = limits ?? FrameLimits.Default;
        AllowedReservedBits = allowedReservedBits;
    }

    public Role Role { get; }
    public FrameLimits Limits { get; }
    public ReservedBits AllowedReservedBits { get; }

    /// <summary>
    /// True when part of a frame has been received: a peer that closes TCP
    /// now has cut a frame short (an abnormal closure, 1006 for the API).
    /// </summary>
    public bool IsMidFrame => headerCount > 0 || header is not null;

    /// <summary>True between the first and the last fragment of a message.</summary>
    public bool IsMidMessage => messageType is not null;

    /// <summary>
    /// Consumes bytes from the start of <paramref name="input"/> up to the end
    /// of at most one frame and returns how many it used. <paramref name="frame"/>
    /// is the frame when one was completed, else null (all of the input was
    /// used and more is needed). Call again with the rest of the input.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, out Frame? frame)
    {
        ThrowIfFailed();
        try
        {
            return DecodeOne(input, out frame);
        }
        catch (WebSocketProtocolException e)
        {
            failure = e;
            throw;
        }
    }

    /// <summary>
    /// Every frame that <paramref name="input"/> completes, in order (a loop
    /// over <see cref="Decode"/>). For tests and notebooks: when a frame
    /// breaks a rule it throws, and the frames before it are lost with the
    /// list. A receive loop calls <see cref="Decode"/> and acts on each frame
    /// as it comes (a valid message before a bad frame is still delivered).
    /// </summary>
    public List<Frame> DecodeAll(ReadOnlySpan<byte> input)
    {
        ThrowIfFailed();
        var frames = new List<Frame>();
        while (!input.IsEmpty)
        {
            int used = Decode(input, out var frame);
            input = input[used..];
            if (frame is not null)
                frames.Add(frame);
        }
        return frames;
    }

    private void ThrowIfFailed()
    {
        if (failure is not null)
            throw new InvalidOperationException($"The decoder already failed ({failure.Error}: {failure.Message}); the connection must be closed.", failure);
    }

    private int DecodeOne(ReadOnlySpan<byte> input, out Frame? frame)
    {
        frame = null;
        throw new NotImplementedException("Lab 05 · step 8: while no header is complete, copy up to 14 - headerCount input bytes into headerBytes and call FrameHeader.TryRead on what you hold; if it is still incomplete keep them (headerCount) and return how many you took; else the bytes used are size - headerCount. Then CheckHeader, note payloadLength, and copy payload bytes from the input as they come into PayloadSpace(count), unmasking each piece with Masking.Apply and the running maskOffset. For text (a Text frame, or a continuation of one, when AllowedReservedBits is None) Feed each unmasked piece to the text validator (Reset it when a Text frame starts) and throw ProtocolError.InvalidUtf8 at once when it says no; a final frame must also end between characters. When payloadReceived reaches payloadLength, set frame (payload.AsMemory(0, payloadLength)), forget the header, and return the bytes used. Notebook 05 §4 and §6, RFC 6455 §5.2 and §8.1.");
    }

    /// <summary>First allocation for a payload; it doubles from there as bytes arrive.</summary>
    private const int InitialPayloadCapacity = 4096;

    /// <summary>
    /// Room for the next <paramref name="count"/> payload bytes, after the
    /// <c>payloadReceived</c> already stored. The buffer grows with what
    /// arrives, not with what the header announced: a peer that announces
    /// 1 MiB and sends 10 bytes costs 4 KiB, not 1 MiB (RFC 6455 §10.4).
    /// </summary>
    private Span<byte> PayloadSpace(int count)
    {
        int needed = payloadReceived + count;
        if (needed > payload.Length)
        {
            // Powers of two (so doubling), never past the announced length: the last
            // growth lands exactly on it, and the frame gets an array of its size.
            int capacity = (int)Math.Min((uint)payloadLength, BitOperations.RoundUpToPowerOf2((uint)Math.Max(needed, InitialPayloadCapacity)));
            // Not zeroed: every byte is written before the frame is handed out.
            var larger = GC.AllocateUninitializedArray<byte>(capacity);
            payload.AsSpan(0, payloadReceived).CopyTo(larger);
            payload = larger;
        }
        return payload.AsSpan(payloadReceived, count);
    }

    /// <summary>
    /// The rules a header alone decides (RFC 6455 §5.1-§5.5, §10.4), checked
    /// before any payload is stored, and the bookkeeping of the current
    /// message (its type, fragments and length). <see cref="Decode"/> calls it
    /// for every header; it is public so the rules can be tried one header
    /// at a time (notebook 05 §5). It records the header as received (a
    /// fragment opens or continues a message), so call it on a decoder you
    /// do not also feed with <see cref="Decode"/>. Throws <see cref="WebSocketProtocolException"/>.
    /// </summary>
    public void CheckHeader(FrameHeader h)
    {
        throw new NotImplementedException("Lab 05 · step 6: refuse, each with its ProtocolError: RSV bits outside AllowedReservedBits; opcodes that are not defined; an unmasked frame when Role is Server and a masked one when Role is Client; a control frame without FIN or over 125 bytes; a continuation with no message open; a text/binary frame while one is open; a message longer than Limits.MaxMessageLength (count the bytes of earlier fragments) or in more than Limits.MaxFragments frames. Then keep messageType, messageFragments and messageLength up to date (reset them on FIN). Notebook 05 §5, RFC 6455 §5.1-§5.5 and §10.4.");
    }

    private static WebSocketProtocolException Error(ProtocolError error, string message) => new(error, message);
}
