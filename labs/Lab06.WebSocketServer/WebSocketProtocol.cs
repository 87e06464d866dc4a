namespace Lab06.WebSocketServer;

/// <summary>
/// The rules of a WebSocket connection after its handshake, with no I/O:
/// bytes go in (<see cref="ReceiveData"/>, <see cref="ReceiveEof"/>), and
/// events (<see cref="TakeEvents"/>) and frames to send
/// (<see cref="TakeFramesToSend"/>) come out. It answers pings, echoes
/// closes and fails the connection with the right code by itself, so a test
/// can check every rule with byte arrays alone; <see cref="WebSocketConnection"/>
/// only pumps a stream through it.
/// </summary>
/// <remarks>
/// Not thread-safe: the connection calls it under one lock, so that the
/// order in which frames are queued is the order in which the protocol
/// decided them (a close is never overtaken by a message sent after it).
/// </remarks>
public sealed class WebSocketProtocol
{
    private readonly FrameDecoder decoder;
    private readonly MessageAssembler assembler = new();
    private readonly List<WebSocketEvent> events = [];
    private readonly List<Frame> framesToSend = [];

    /// <summary>The protocol for the <paramref name="role"/> end of an open connection.</summary>
    /// <param name="role">Server: reads masked frames and sends unmasked ones; Client: the reverse.</param>
    /// <param name="limits">Message size and fragment limits (1009 past them); <see cref="FrameLimits.Default"/> when null.</param>
    public WebSocketProtocol(Role role, FrameLimits? limits = null)
    {
        Role = role;
        decoder = new FrameDecoder(role, limits);
    }

    /// <summary>The end this protocol runs at.</summary>
    public Role Role { get; }

    /// <summary>The limits the decoder enforces.</summary>
    public FrameLimits Limits => decoder.Limits;

    /// <summary>Open after the handshake; Closing once a close frame went either way or the connection failed; Closed after <see cref="ReceiveEof"/> or <see cref="TransportClosed"/>.</summary>
    public ConnectionState State { get; private set; } = ConnectionState.Open;

    /// <summary>The close frame this end sent (queued), if any.</summary>
    public CloseStatus? CloseSent { get; private set; }

    /// <summary>The close frame the peer sent, if any.</summary>
    public CloseStatus? CloseReceived { get; private set; }

    /// <summary>Why this end failed the connection (§7.1.7), if it did.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Both close frames went: the closing handshake is done (§7.1.2 "the WebSocket closing handshake is ... complete").</summary>
    public bool IsCloseHandshakeComplete => CloseSent is not null && CloseReceived is not null;

    /// <summary>
    /// True once this end should close the TCP connection: a server as soon
    /// as the closing handshake is done (RFC 6455 §7.1.1: "the underlying TCP
    /// connection, in most normal cases, SHOULD be closed first by the
    /// server"), either end as soon as it failed the connection (§7.1.7).
    /// A client whose handshake is done waits for the server to do it.
    /// </summary>
    public bool ShouldCloseTransport =>
        State == ConnectionState.Closing && (Failure is not null || (IsCloseHandshakeComplete && Role == Role.Server));

    /// <summary>
    /// Whether received bytes still mean anything: not after the peer's close
    /// frame (§5.5.1: no data may follow it) nor after a failure (§7.1.7: the
    /// endpoint "MUST NOT continue to attempt to process data").
    /// </summary>
    public bool IsReceiving => State != ConnectionState.Closed && CloseReceived is null && Failure is null;

    /// <summary>
    /// Decodes <paramref name="data"/> (any split of the stream: a byte, a
    /// frame, many frames) and acts on every frame it completes, in order.
    /// A frame that breaks the protocol fails the connection with its code;
    /// the frames before it still count. Ignored when <see cref="IsReceiving"/> is false.
    /// </summary>
    public void ReceiveData(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
            data = data[UsedBy(ReceiveFrames(data), data.Length)..];
    }

    /// <summary>What <see cref="ReceiveFrames"/> returned, checked: a loop that gives it bytes must never go round with nothing used.</summary>
    internal static int UsedBy(int used, int given) => used > 0 && used <= given ? used
        : throw new InvalidOperationException($"Lab 06 · step 1: ReceiveFrames was given {given} bytes and says it used {used}; it uses at least one byte (all of them once the connection is closing) and at most all.");

    /// <summary>
    /// Decodes <paramref name="data"/> up to and including the first frame
    /// that completes a message, acting on every frame on the way, and
    /// returns the bytes used (all of them when no message completes). A
    /// pump hands that message to the application before it gives the rest:
    /// so the answer to a message is queued before whatever came behind it is
    /// acted on (a close or a bad frame glued to a message must not overtake
    /// its echo). Once <see cref="IsReceiving"/> is false, all input is used and ignored.
    /// </summary>
    public int ReceiveFrames(ReadOnlySpan<byte> data)
    {
        int total = 0;
        throw new NotImplementedException("Lab 06 · step 1: while total < data.Length and IsReceiving: total += decoder.Decode(data[total..], out var frame) (Decode, not DecodeAll: a frame before a bad one still counts); a frame goes to HandleFrame; when it was the last frame of a message (Fin, and not a control frame), return total at once, so the application answers it before the rest is acted on. A WebSocketProtocolException from either fails the connection: Fail(e) (IsReceiving is then false). At the end return data.Length: input after a close or a failure is ignored. Notebook 06 §2, RFC 6455 §5.2 and §7.1.7.");
        return data.Length;
    }

    /// <summary>
    /// One frame, as the RFC says to treat it: data frames go to the
    /// assembler (a message when the last fragment comes), a ping is answered
    /// with a pong, a pong is reported, a close goes to <see cref="HandleClose"/>.
    /// </summary>
    private void HandleFrame(Frame frame)
    {
        throw new NotImplementedException("Lab 06 · step 2: switch on frame.Opcode. Ping: while State is Open, add Frame.Pong(frame.Payload) to framesToSend (§5.5.2: same payload, also between fragments), then events.Add(new PingReceived(payload)). Pong: events.Add(new PongReceived(payload)), nothing else (§5.5.3). Close: HandleClose(frame). Text, Binary, Continuation: assembler.Add(frame); a message that comes back goes into events as MessageReceived. Notebook 06 §3, RFC 6455 §5.4-§5.5.");
    }

    /// <summary>
    /// The peer's close frame (§5.5.1, §7.1.2-§7.1.3): parse it, and answer
    /// with our own close unless we sent one first. After it the peer may send
    /// nothing more, and the half-received message, if any, is dropped.
    /// </summary>
    private void HandleClose(Frame frame)
    {
        throw new NotImplementedException("Lab 06 · step 3: var status = CloseStatus.Parse(frame.Payload.Span) (it throws for a bad payload, and ReceiveData fails the connection); set CloseReceived, Clear() the assembler; if CloseSent is null, answer with Frame.Close of the same code and no reason (CloseStatus.Empty when the peer sent no code: 1005 never goes on the wire), and set CloseSent; State = Closing; events.Add(new CloseReceived(status)). Notebook 06 §4, RFC 6455 §5.5.1 and §7.1.");
    }

    /// <summary>
    /// Fails the connection (§7.1.7), the one place that decides the code:
    /// a <see cref="WebSocketProtocolException"/> carries its own (1002,
    /// 1007 for invalid UTF-8, 1009 for too big); anything else is this
    /// end's fault, 1011, with no details for the peer. The close frame is
    /// queued unless one was sent already; from then on input is ignored.
    /// </summary>
    public void Fail(Exception cause)
    {
        ArgumentNullException.ThrowIfNull(cause);
        if (Failure is not null || State == ConnectionState.Closed)
            return;
        throw new NotImplementedException("Lab 06 · step 4: choose the status in one switch: a WebSocketProtocolException → new CloseStatus(e.CloseCode, Describe(e.Error)) (1002, 1007 or 1009, from Lab 05's one map); a WebSocketCloseException → e.Status; anything else → 1011 with the reason \"internal error\" and no details (they may be internals). Set Failure; if CloseSent is null, queue Frame.Close(status) and set CloseSent; State = Closing; assembler.Clear(); events.Add(new ConnectionFailed(CloseSent.Value, cause)). Notebook 06 §5, RFC 6455 §7.1.7 and §7.4.1.");
    }

    /// <summary>
    /// Queues <paramref name="message"/> as one frame, or as fragments of at
    /// most <paramref name="fragmentSize"/> bytes. Returns false, and queues
    /// nothing, once the connection is not open (§5.5.1: "After sending a
    /// Close frame, the application MUST NOT send any more data frames").
    /// </summary>
    public bool Send(Message message, int fragmentSize = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(message);
        throw new NotImplementedException("Lab 06 · step 5: only while State is Open (§5.5.1: no data after a close): framesToSend.AddRange(message.ToFrames(fragmentSize)) and return true; else queue nothing and return false. Notebook 06 §2, RFC 6455 §5.4.");
    }

    /// <summary>Queues a ping (at most 125 bytes, §5.5). False once the connection is not open.</summary>
    public bool Ping(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length > FrameHeader.MaxLength7Bit)
            throw new ArgumentException($"A ping carries at most {FrameHeader.MaxLength7Bit} bytes (RFC 6455 §5.5); this one has {payload.Length}.", nameof(payload));
        if (State != ConnectionState.Open)
            return false;
        framesToSend.Add(Frame.Ping(payload));
        return true;
    }

    /// <summary>
    /// Starts the closing handshake (§7.1.2) with <paramref name="status"/>:
    /// queues the close frame and stops sending data. Returns false, and
    /// queues nothing, when a close was already sent or the connection is
    /// not open. Throws ArgumentException for a code that may not be sent
    /// (1005, 1006, 1015, ...) or a reason over 123 UTF-8 bytes.
    /// </summary>
    public bool Close(CloseStatus status)
    {
        var frame = Frame.Close(status); // validates the code and the reason's length (Lab 05, CloseStatus.ToPayload)
        throw new NotImplementedException("Lab 06 · step 6: only while State is Open and no close was sent: add the frame to framesToSend, set CloseSent = status and State = Closing, and return true; else return false. Then wait for the peer's close (HandleClose completes the handshake). Notebook 06 §4, RFC 6455 §7.1.2.");
    }

    /// <summary>The peer closed TCP (a read returned 0). Without a close frame before it, the closure is abnormal (1006 for the application).</summary>
    public void ReceiveEof() => State = ConnectionState.Closed;

    /// <summary>This end closed or lost the TCP connection.</summary>
    public void TransportClosed() => State = ConnectionState.Closed;

    /// <summary>The events since the last call, in order.</summary>
    public List<WebSocketEvent> TakeEvents()
    {
        var taken = new List<WebSocketEvent>(events);
        events.Clear();
        return taken;
    }

    /// <summary>The frames the protocol decided to send since the last call, in order.</summary>
    public List<Frame> TakeFramesToSend()
    {
        var taken = new List<Frame>(framesToSend);
        framesToSend.Clear();
        return taken;
    }

    /// <summary>True when frames wait in <see cref="TakeFramesToSend"/>.</summary>
    public bool HasFramesToSend => framesToSend.Count > 0;

    /// <summary>True when events wait in <see cref="TakeEvents"/>.</summary>
    public bool HasEvents => events.Count > 0;

    /// <summary>A short reason for the peer: what was wrong, in words, and nothing about this server.</summary>
    public static string Describe(ProtocolError error) => error switch
    {
        ProtocolError.ReservedBitsSet => "reserved bits set without an extension",
        ProtocolError.ReservedOpcode => "reserved opcode",
        ProtocolError.NonMinimalLength => "payload length not in its minimal form",
        ProtocolError.LengthTooLarge => "payload length with its top bit set",
        ProtocolError.UnmaskedFrame => "client frames must be masked",
        ProtocolError.MaskedFrame => "server frames must not be masked",
        ProtocolError.FragmentedControlFrame => "fragmented control frame",
        ProtocolError.ControlFrameTooLong => "control frame over 125 bytes",
        ProtocolError.UnexpectedContinuation => "continuation frame with no message open",
        ProtocolError.UnfinishedMessage => "new message before the last one ended",
        ProtocolError.InvalidUtf8 => "invalid UTF-8",
        ProtocolError.ClosePayloadTooShort => "close payload of 1 byte",
        ProtocolError.InvalidCloseCode => "invalid close code",
        ProtocolError.MessageTooBig => "message too big",
        ProtocolError.TooManyFragments => "too many fragments",
        _ => "protocol error",
    };
}

/// <summary>
/// This end closes the connection with <see cref="Status"/> for a reason of
/// its own, not a protocol error: the keepalive's timeout (1011), a client
/// too slow for broadcast (1008). <see cref="WebSocketProtocol.Fail"/> sends
/// the status as it is.
/// </summary>
public sealed class WebSocketCloseException(CloseStatus status, string message) : Exception(message)
{
    /// <summary>The close frame to send.</summary>
    public CloseStatus Status { get; } = status;
}
