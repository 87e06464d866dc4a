namespace Lab07.WebSocketClient;

/// <summary>Sending: the browser's Send, which never waits, and SendAsync, which waits for room.</summary>
public sealed partial class WebSocketClient
{
    /// <summary>Queues a text message (<c>send(string)</c>).</summary>
    /// <exception cref="InvalidOperationException">InvalidStateError: the connection is not open yet.</exception>
    public void Send(string text) => Send(Message.FromText(text));

    /// <summary>Queues a binary message (<c>send(ArrayBuffer)</c>). The bytes are copied, as the browser copies them, so the array may be reused at once.</summary>
    public void Send(byte[] data) => Send(Message.FromBinary((data ?? throw new ArgumentNullException(nameof(data))).ToArray()));

    /// <summary>Queues a binary message (<c>send(TypedArray)</c>); the bytes are copied.</summary>
    public void Send(ReadOnlyMemory<byte> data) => Send(Message.FromBinary(data.ToArray()));

    /// <summary>
    /// Queues <paramref name="message"/> and returns at once; its bytes count
    /// in <see cref="BufferedAmount"/> until they reach the socket. The
    /// browser's rules: while CONNECTING, an InvalidStateError; once CLOSING
    /// or CLOSED, the message is dropped but still counted in
    /// <see cref="BufferedAmount"/>; when the send buffer is full
    /// (<see cref="WebSocketOptions.MaxBufferedBytes"/>), the connection is
    /// closed (an error, then a close event with 1006).
    /// </summary>
    /// <exception cref="InvalidOperationException">InvalidStateError: the connection is not open yet.</exception>
    public void Send(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        // BEGIN SOLUTION
        WebSocketConnection? open;
        lock (gate)
        {
            if (phase == ConnectionState.Connecting)
                throw new InvalidOperationException($"InvalidStateError: the connection to {Url} is not open yet (ReadyState CONNECTING); send from OnOpen or after it (WHATWG WebSockets, send()).");
            open = connection;
        }
        switch (open?.TrySend(message) ?? SendResult.Closed)
        {
            case SendResult.Queued:
                return;
            case SendResult.Full:
                // The browser "flags the WebSocket as full and then closes the WebSocket connection".
                sendBufferFull = true;
                open!.Abort();
                break;
        }
        // Closing or closed (or just dropped as full): not sent, and still counted,
        // so that a script which checks bufferedAmount sees its data went nowhere.
        Interlocked.Add(ref discarded, message.Data.Length);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 5: under lock (gate): phase Connecting → throw InvalidOperationException(\"InvalidStateError: ...\"); take connection (null if it never opened). open.TrySend(message) (Lab 06): Queued → return; Full → sendBufferFull = true and open.Abort() (the browser closes a connection whose buffer is full); Closed (or no connection) → nothing is sent. In the last two cases add message.Data.Length to discarded (Interlocked.Add): the browser still counts it in bufferedAmount. Notebook 07 §5, WHATWG WebSockets send().");
    }

    /// <summary>Sends a text message, waiting while <see cref="WebSocketOptions.MaxBufferedBytes"/> wait to be sent.</summary>
    /// <exception cref="WebSocketClosedException">The connection is closing or closed.</exception>
    public ValueTask SendAsync(string text, CancellationToken cancellation = default) => SendAsync(Message.FromText(text), cancellation);

    /// <summary>Sends a binary message (the bytes are copied), waiting for room.</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation = default) => SendAsync(Message.FromBinary(data.ToArray()), cancellation);

    /// <summary>
    /// Sends <paramref name="message"/>: returns once it is queued, whole and
    /// never interleaved with another sender's; waits while the send buffer
    /// is full (back-pressure: a fast producer goes at the network's pace).
    /// </summary>
    /// <exception cref="InvalidOperationException">The connection is not open yet.</exception>
    /// <exception cref="WebSocketClosedException">The connection is closing or closed (RFC 6455 §5.5.1: no data after a close frame).</exception>
    public ValueTask SendAsync(Message message, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        WebSocketConnection? open;
        lock (gate)
        {
            if (phase == ConnectionState.Connecting)
                throw new InvalidOperationException($"The connection to {Url} is not open yet: await WebSocketClient.ConnectAsync, or send from OnOpen.");
            open = connection;
        }
        return open?.SendAsync(message, cancellation)
            ?? throw new WebSocketClosedException($"The connection to {Url} never opened.");
    }
}
