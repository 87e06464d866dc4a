namespace Lab05.WebSocketFrames;

/// <summary>
/// Frames to bytes (RFC 6455 §5.2): the header in its minimal form, then the
/// payload, masked when a key is given. It refuses frames that no endpoint
/// may send: that would be a bug in the caller, not in the peer.
/// </summary>
public static class FrameEncoder
{
    /// <summary>
    /// The bytes of <paramref name="frame"/> as <paramref name="sender"/>
    /// sends it: a client masks with a fresh key (§5.3), a server never masks (§5.1).
    /// </summary>
    public static byte[] Encode(Frame frame, Role sender) =>
        Encode(frame, sender == Role.Client ? Masking.NewKey() : null);

    /// <summary>The bytes of <paramref name="frame"/>, masked with <paramref name="maskingKey"/> when it is not null.</summary>
    public static byte[] Encode(Frame frame, uint? maskingKey)
    {
        var bytes = new byte[EncodedLength(frame, maskingKey.HasValue)];
        EncodeTo(frame, maskingKey, bytes);
        return bytes;
    }

    /// <summary>The size of <paramref name="frame"/> on the wire.</summary>
    public static int EncodedLength(Frame frame, bool masked) =>
        FrameHeader.SizeOf(frame.Payload.Length, masked) + frame.Payload.Length;

    /// <summary>
    /// Writes <paramref name="frame"/> at the start of <paramref name="destination"/>
    /// and returns the bytes written. The frame's own payload is not changed:
    /// masking happens in <paramref name="destination"/>.
    /// </summary>
    public static int EncodeTo(Frame frame, uint? maskingKey, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!frame.Opcode.IsDefined())
            throw new ArgumentException($"Opcode 0x{(byte)frame.Opcode:x} is reserved (RFC 6455 §5.2); no endpoint may send it.", nameof(frame));
        if (frame.Opcode.IsControl() && (!frame.Fin || frame.Payload.Length > FrameHeader.MaxLength7Bit))
            throw new ArgumentException(
                $"A {frame.Opcode.Name()} frame must have FIN set and at most {FrameHeader.MaxLength7Bit} bytes " +
                $"(RFC 6455 §5.5); this one has FIN={(frame.Fin ? 1 : 0)} and {frame.Payload.Length} bytes.", nameof(frame));
        int length = EncodedLength(frame, maskingKey.HasValue);
        if (destination.Length < length)
            throw new ArgumentException($"The frame takes {length} bytes; the destination has {destination.Length}.", nameof(destination));
        // BEGIN SOLUTION
        var header = new FrameHeader(frame.Fin, frame.Opcode, frame.Payload.Length, maskingKey, frame.Reserved);
        int at = header.WriteTo(destination);
        var payload = destination.Slice(at, frame.Payload.Length);
        frame.Payload.Span.CopyTo(payload);
        if (maskingKey is uint key)
            Masking.Apply(payload, key, offset: 0);
        return at + payload.Length;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 05 · step 3: write a FrameHeader (Fin, Opcode, Payload.Length, the key, Reserved) with WriteTo, copy the payload behind it, and mask the copy in place with Masking.Apply when a key is given (offset 0). Return header size + payload length. Notebook 05 §2, RFC 6455 §5.2.");
    }
}
