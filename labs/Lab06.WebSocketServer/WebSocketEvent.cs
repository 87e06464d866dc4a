namespace Lab06.WebSocketServer;

/// <summary>
/// What <see cref="WebSocketProtocol"/> found in the bytes it was given. The
/// protocol has already done what the RFC requires (a pong queued for a
/// ping, a close echoed); the events tell the application what happened.
/// </summary>
public abstract record WebSocketEvent;

/// <summary>A whole message: text or binary, its fragments joined (RFC 6455 §5.4).</summary>
public sealed record MessageReceived(Message Message) : WebSocketEvent;

/// <summary>A ping; the pong carrying the same payload is already queued (§5.5.2).</summary>
public sealed record PingReceived(ReadOnlyMemory<byte> Payload) : WebSocketEvent;

/// <summary>A pong: the answer to our ping, or an unsolicited heartbeat (§5.5.3), which needs no answer.</summary>
public sealed record PongReceived(ReadOnlyMemory<byte> Payload) : WebSocketEvent;

/// <summary>The peer's close frame (§5.5.1), parsed: an empty payload has a null code (reported as 1005).</summary>
public sealed record CloseReceived(CloseStatus Status) : WebSocketEvent;

/// <summary>
/// The connection failed (§7.1.7): the peer broke the protocol, or something
/// went wrong here. The close frame with <see cref="Sent"/> is queued; the
/// details stay in the log and never go to the peer.
/// </summary>
public sealed record ConnectionFailed(CloseStatus Sent, Exception Cause) : WebSocketEvent;
