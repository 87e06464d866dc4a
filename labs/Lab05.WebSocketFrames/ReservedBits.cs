namespace Lab05.WebSocketFrames;

/// <summary>
/// RSV1, RSV2 and RSV3, the three bits after FIN in a frame's first byte
/// (RFC 6455 §5.2). Each value is the bit's place in that byte. They "MUST
/// be 0 unless an extension is negotiated that defines meanings for non-zero
/// values"; permessage-deflate (RFC 7692, Lab 09) defines RSV1.
/// </summary>
[Flags]
public enum ReservedBits : byte
{
    None = 0,
    Rsv1 = 0x40,
    Rsv2 = 0x20,
    Rsv3 = 0x10,
}
