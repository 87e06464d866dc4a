namespace Lab07.WebSocketClient;

/// <summary>
/// The browser's <c>MessageEvent</c>: one whole message. <see cref="Data"/>
/// is a string for a text message and a byte array for a binary one, as
/// <c>event.data</c> is a string or an ArrayBuffer in the browser.
/// </summary>
public sealed class MessageEvent(Message message)
{
    /// <summary>The message as the pump delivered it (Lab 05's type).</summary>
    public Message Message { get; } = message;

    /// <summary>Text or Binary.</summary>
    public MessageType Type => Message.Type;

    /// <summary>A string (text) or a byte[] (binary): the browser's <c>event.data</c>.</summary>
    public object Data => Message.Type == MessageType.Text ? Message.Text : Message.Data.ToArray();

    /// <summary>The text of a text message (throws for binary).</summary>
    public string Text => Message.Text;

    /// <summary>The message's bytes (UTF-8 for text).</summary>
    public ReadOnlyMemory<byte> Bytes => Message.Data;

    public override string ToString() => Message.ToString();
}

/// <summary>
/// The browser's <c>CloseEvent</c>: how the connection ended, in the terms
/// of RFC 6455 §7.1.4-§7.1.6.
/// </summary>
/// <param name="Code">The code of the close frame received (1005 when it had none), or 1006 when none came (§7.1.5).</param>
/// <param name="Reason">The reason of the close frame received, or "" (§7.1.6).</param>
/// <param name="WasClean">Both close frames went before TCP closed (§7.1.4 "closed cleanly").</param>
public sealed record CloseEvent(int Code, string Reason, bool WasClean)
{
    /// <summary>
    /// The close event of a connection that ended as <paramref name="closed"/>
    /// says. <see cref="ConnectionClosed"/> tells a server's log who started
    /// the end and with which code; a client reports what the RFC defines:
    /// the code and reason of the close frame it <em>received</em>, and 1006
    /// (never on the wire) when it received none: a dropped TCP connection,
    /// a close this end sent that the server never answered, or a
    /// connection this end failed.
    /// </summary>
    public static CloseEvent From(ConnectionClosed closed)
    {
        ArgumentNullException.ThrowIfNull(closed);
        // BEGIN SOLUTION
        // §7.1.5: "If ... no Close control frame was received ..., _The WebSocket
        // Connection Close Code_ is considered to be 1006"; §7.1.6: the reason
        // is then the empty string. A close frame with no code reports 1005.
        if (closed.Received is not { } received)
            return new CloseEvent((int)CloseCode.AbnormalClosure, "", WasClean: false);
        // §7.1.4: clean when TCP closed after the closing handshake completed:
        // the pump says whether our close frame went too.
        return new CloseEvent(received.ReportedCode, received.Reason, closed.WasClean);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 3: when closed.Received is null (no close frame came: TCP dropped, our close unanswered, or we failed the connection) return new CloseEvent(1006, \"\", false); else new CloseEvent(received.ReportedCode (1005 for a close with no code), received.Reason, closed.WasClean). Notebook 07 §4, RFC 6455 §7.1.4-§7.1.6.");
    }

    /// <summary>The close event of a connection that never opened (a refused handshake, no server, a timeout).</summary>
    public static CloseEvent NeverOpened { get; } = new((int)CloseCode.AbnormalClosure, "", WasClean: false);

    public override string ToString() =>
        $"{Code} {CloseCodes.Describe(Code)}{(Reason.Length > 0 ? $" \"{Reason}\"" : "")}, {(WasClean ? "clean" : "not clean")}";
}

/// <summary>
/// The browser's <c>error</c> event, with what the browser keeps to its
/// console: why. It comes just before the <see cref="CloseEvent"/> of a
/// connection that did not close cleanly.
/// </summary>
/// <param name="Message">What went wrong, for a person.</param>
/// <param name="Exception">The exception behind it, when there is one (a <see cref="HandshakeFailedException"/>, a <see cref="WebSocketProtocolException"/>, ...).</param>
public sealed record ErrorEvent(string Message, Exception? Exception = null)
{
    public override string ToString() => Message;
}

/// <summary>
/// The connection did not close cleanly: thrown by
/// <see cref="WebSocketClient.ReceiveAsync"/> and
/// <see cref="WebSocketClient.ReceiveAllAsync"/> once the messages that came
/// before the end have been read.
/// </summary>
public sealed class WebSocketFailedException(ErrorEvent error, CloseEvent close)
    : Exception($"{error.Message} (close event: {close})", error.Exception)
{
    /// <summary>Why.</summary>
    public ErrorEvent Error { get; } = error;

    /// <summary>The close event.</summary>
    public CloseEvent Close { get; } = close;
}

/// <summary>Exception messages for people.</summary>
public static class ExceptionText
{
    /// <summary>The message without .NET's "(Parameter 'url')" tail (and what follows it, such as "Actual value was 0.").</summary>
    public static string Plain(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
        {
            int tail = message.IndexOf($" (Parameter '{name}')", StringComparison.Ordinal);
            if (tail >= 0)
                message = message[..tail];
        }
        return message;
    }
}
