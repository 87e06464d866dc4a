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
        // BEGIN SOLUTION
        int used = 0;
        if (header is null)
        {
            // Copy what may be header into headerBytes and try to read it.
            // The size is known only once byte 1 is in, so copy up to the
            // longest header and give back what turns out to be payload.
            int copied = Math.Min(input.Length, FrameHeader.MaxSize - headerCount);
            input[..copied].CopyTo(headerBytes.AsSpan(headerCount));
            if (!FrameHeader.TryRead(headerBytes.AsSpan(0, headerCount + copied), out var h, out int size))
            {
                headerCount += copied; // all of the input, or the header would be complete
                return copied;
            }
            used = size - headerCount;
            headerCount = 0;

            // Text to check: a text frame, or a continuation of a text message. With an
            // extension (RSV bits allowed) the payload is the extension's until it is undone.
            bool isText = AllowedReservedBits == ReservedBits.None
                && (h.Opcode == Opcode.Text || (h.Opcode == Opcode.Continuation && messageType == Opcode.Text));
            CheckHeader(h); // step 6: every rule the header decides, before a byte of payload is stored
            if (h.Opcode == Opcode.Text)
                text.Reset();
            payloadIsText = isText;
            header = h;
            payloadLength = (int)h.PayloadLength; // the limits are checked: it fits an int
            payloadReceived = 0;
            maskOffset = 0;
        }

        var current = header.Value;
        int take = Math.Min(input.Length - used, payloadLength - payloadReceived);
        var destination = PayloadSpace(take);
        input.Slice(used, take).CopyTo(destination);
        if (current.MaskingKey is uint key)
            maskOffset = Masking.Apply(destination, key, maskOffset);
        // §8.1: fail as soon as the text cannot be UTF-8, within a frame too, not when the frame ends.
        if (payloadIsText && !text.Feed(destination))
            throw Error(ProtocolError.InvalidUtf8,
                $"A text message is not UTF-8: its {current.Opcode.Name()} frame's payload bytes {payloadReceived}..{payloadReceived + take - 1} hold a byte that no character can continue with (RFC 6455 §8.1).");
        payloadReceived += take;
        used += take;

        if (payloadReceived == payloadLength)
        {
            if (payloadIsText && current.Fin && !text.IsComplete)
                throw Error(ProtocolError.InvalidUtf8, "A text message ends inside a UTF-8 character (RFC 6455 §8.1).");
            frame = new Frame(current.Opcode, payload.AsMemory(0, payloadLength), current.Fin, current.Reserved);
            header = null;
            payload = []; // the frame owns the array now; an idle decoder holds nothing
        }
        return used;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 8: while no header is complete, copy up to 14 - headerCount input bytes into headerBytes and call FrameHeader.TryRead on what you hold; if it is still incomplete keep them (headerCount) and return how many you took; else the bytes used are size - headerCount. Then CheckHeader, note payloadLength, and copy payload bytes from the input as they come into PayloadSpace(count), unmasking each piece with Masking.Apply and the running maskOffset. For text (a Text frame, or a continuation of one, when AllowedReservedBits is None) Feed each unmasked piece to the text validator (Reset it when a Text frame starts) and throw ProtocolError.InvalidUtf8 at once when it says no; a final frame must also end between characters. When payloadReceived reaches payloadLength, set frame (payload.AsMemory(0, payloadLength)), forget the header, and return the bytes used. Notebook 05 §4 and §6, RFC 6455 §5.2 and §8.1.");
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
        // BEGIN SOLUTION
        // §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines meanings for non-zero values".
        if ((h.Reserved & ~AllowedReservedBits) != 0)
            throw Error(ProtocolError.ReservedBitsSet, $"The frame has {h.Reserved} set and no extension defines it (RFC 6455 §5.2).");
        // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket Connection_."
        if (!h.Opcode.IsDefined())
            throw Error(ProtocolError.ReservedOpcode, $"Opcode 0x{(byte)h.Opcode:x} is reserved (RFC 6455 §5.2).");
        // §5.1: "The server MUST close the connection upon receiving a frame that is not masked"; "A client MUST
        // close a connection if it detects a masked frame."
        if (Role == Role.Server && !h.IsMasked)
            throw Error(ProtocolError.UnmaskedFrame, "A client sent an unmasked frame; every frame from a client MUST be masked (RFC 6455 §5.1).");
        if (Role == Role.Client && h.IsMasked)
            throw Error(ProtocolError.MaskedFrame, "The server sent a masked frame; a server MUST NOT mask (RFC 6455 §5.1).");

        if (h.Opcode.IsControl())
        {
            // §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be fragmented."
            if (!h.Fin)
                throw Error(ProtocolError.FragmentedControlFrame, $"A {h.Opcode.Name()} frame came without FIN; control frames MUST NOT be fragmented (RFC 6455 §5.5).");
            if (h.PayloadLength > FrameHeader.MaxLength7Bit)
                throw Error(ProtocolError.ControlFrameTooLong, $"A {h.Opcode.Name()} frame announced {h.PayloadLength} bytes; control frames carry at most 125 (RFC 6455 §5.5).");
            return; // control frames may come between fragments and do not touch the message
        }

        // §5.4: a message is a text or binary frame, then continuation frames, the last with FIN.
        long already;
        if (h.Opcode == Opcode.Continuation)
        {
            if (messageType is null)
                throw Error(ProtocolError.UnexpectedContinuation, "A continuation frame came, but no fragmented message had started (RFC 6455 §5.4).");
            already = messageLength;
        }
        else
        {
            if (messageType is not null)
                throw Error(ProtocolError.UnfinishedMessage,
                    $"A {h.Opcode.Name()} frame came while a fragmented {messageType.Value.Name()} message was still open; its fragments must end (FIN) first (RFC 6455 §5.4).");
            already = 0;
        }

        // §10.4: limits, decided from the announced length before anything is buffered.
        if (h.PayloadLength > Limits.MaxMessageLength - already)
            throw Error(ProtocolError.MessageTooBig,
                $"The message would be {already + (decimal)h.PayloadLength} bytes; this endpoint accepts at most {Limits.MaxMessageLength} (RFC 6455 §10.4).");
        int fragments = h.Opcode == Opcode.Continuation ? messageFragments + 1 : 1;
        if (fragments > Limits.MaxFragments)
            throw Error(ProtocolError.TooManyFragments,
                $"The message has more than {Limits.MaxFragments} fragments, the most this endpoint accepts (RFC 6455 §10.4).");

        if (h.Fin)
        {
            messageType = null;
            messageFragments = 0;
            messageLength = 0;
        }
        else
        {
            messageType ??= h.Opcode;
            messageFragments = fragments;
            messageLength = already + h.PayloadLength;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 6: refuse, each with its ProtocolError: RSV bits outside AllowedReservedBits; opcodes that are not defined; an unmasked frame when Role is Server and a masked one when Role is Client; a control frame without FIN or over 125 bytes; a continuation with no message open; a text/binary frame while one is open; a message longer than Limits.MaxMessageLength (count the bytes of earlier fragments) or in more than Limits.MaxFragments frames. Then keep messageType, messageFragments and messageLength up to date (reset them on FIN). Notebook 05 §5, RFC 6455 §5.1-§5.5 and §10.4.");
    }

    private static WebSocketProtocolException Error(ProtocolError error, string message) => new(error, message);
}
