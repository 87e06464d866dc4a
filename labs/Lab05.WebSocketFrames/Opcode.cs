namespace Lab05.WebSocketFrames;

/// <summary>
/// The 4-bit opcode of a frame (RFC 6455 §5.2, §11.8). 0x3-0x7 and 0xB-0xF
/// are reserved: a frame that carries one fails the connection (§5.2:
/// "If an unknown opcode is received, the receiving endpoint MUST _Fail the
/// WebSocket Connection_").
/// </summary>
public enum Opcode : byte
{
    /// <summary>0x0: the next fragment of a text or binary message (§5.4).</summary>
    Continuation = 0x0,
    /// <summary>0x1: the first (or only) frame of a message of UTF-8 text (§5.6).</summary>
    Text = 0x1,
    /// <summary>0x2: the first (or only) frame of a binary message (§5.6).</summary>
    Binary = 0x2,
    /// <summary>0x8: the closing handshake (§5.5.1).</summary>
    Close = 0x8,
    /// <summary>0x9: a heartbeat the peer must answer (§5.5.2).</summary>
    Ping = 0x9,
    /// <summary>0xA: the answer to a ping, or an unsolicited heartbeat (§5.5.3).</summary>
    Pong = 0xA,
}

/// <summary>What the opcode's value says about a frame.</summary>
public static class Opcodes
{
    /// <summary>
    /// Control frames have the high bit of the opcode set (0x8-0xF, RFC 6455
    /// §5.5). They may come between the fragments of a message, are never
    /// fragmented, and carry at most 125 bytes.
    /// </summary>
    public static bool IsControl(this Opcode opcode) => ((byte)opcode & 0x8) != 0;

    /// <summary>Text, binary, or continuation (0x0-0x7, §5.6).</summary>
    public static bool IsData(this Opcode opcode) => !opcode.IsControl();

    /// <summary>One of the six opcodes RFC 6455 defines; every other value is reserved.</summary>
    public static bool IsDefined(this Opcode opcode) =>
        opcode is Opcode.Continuation or Opcode.Text or Opcode.Binary or Opcode.Close or Opcode.Ping or Opcode.Pong;

    /// <summary>The name used in annotated frames: "text", "ping", or "op=0x3" for a reserved value.</summary>
    public static string Name(this Opcode opcode) => opcode switch
    {
        Opcode.Continuation => "cont",
        Opcode.Text => "text",
        Opcode.Binary => "binary",
        Opcode.Close => "close",
        Opcode.Ping => "ping",
        Opcode.Pong => "pong",
        _ => $"op=0x{(byte)opcode:x}",
    };
}
