using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// The pump (notebook 06 §2 and §4; steps 8, 9 and 10): a
/// <see cref="WebSocketConnection"/> in the server role over a loopback TCP
/// connection, with .NET's own client WebSocket
/// (<see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>)
/// or a raw socket at the other end. No handshake: both start where it ended.
/// </summary>
public sealed class ConnectionTests
{
    private const string Pump = "Notebook 06 §2 (the receive loop, the send queue, the writer); RFC 6455 §5.4 and §5.6";
    private const string Closing = "Notebook 06 §4 (the closing handshake); RFC 6455 §7.1.1-§7.1.4 and §5.5.1";

    private static readonly MessageHandler Echo = (connection, message, ct) => connection.SendAsync(message, ct);

    [Fact, Graded(2, Hint = Pump)]
    public async Task Messages_from_a_dotnet_client_reach_the_handler_whole_and_in_order()
    {
        var received = new List<Message>();
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pair = await SocketPair.StartAsync((_, message, _) =>
        {
            lock (received)
            {
                received.Add(message);
                if (received.Count == 4)
                    three.TrySetResult();
            }
            return ValueTask.CompletedTask;
        });
        var big = Patterns.Bytes(200_000, seed: 8);
        await pair.Client.SendAsync(Encoding.UTF8.GetBytes("hello"), WebSocketMessageType.Text, true, default).Within(Loopback.DefaultBound, ".NET's client to send \"hello\"");
        await pair.Client.SendAsync(big, WebSocketMessageType.Binary, true, default).Within(Loopback.DefaultBound, ".NET's client to send 200000 bytes");
        // A message in three frames (§5.4): the handler gets it once, joined.
        await pair.Client.SendAsync(Encoding.UTF8.GetBytes("frag"), WebSocketMessageType.Text, false, default);
        await pair.Client.SendAsync(Encoding.UTF8.GetBytes("men"), WebSocketMessageType.Text, false, default);
        await pair.Client.SendAsync(Encoding.UTF8.GetBytes("ted"), WebSocketMessageType.Text, true, default);
        await pair.Client.SendAsync(Array.Empty<byte>(), WebSocketMessageType.Binary, true, default);
        await three.Task.Within(Loopback.DefaultBound, "step 8: the handler to get 4 messages from .NET's client", pair.Describe);

        Message[] got;
        lock (received)
            got = [.. received];
        Check.Equal(got.Length, 4, "step 8: messages given to the handler", Pump);
        Check.True(got[0].Type == MessageType.Text && got[0].Text == "hello", $"step 8: the first message: expected text \"hello\", got {got[0]}", Pump);
        Check.True(got[1].Type == MessageType.Binary && got[1].Data.Span.SequenceEqual(big),
            $"step 8: the second message: expected the 200000 bytes .NET sent (it needs many reads of {WebSocketOptions.Default.ReceiveBufferSize} bytes), got {got[1]}",
            Pump + ". Feed every read to the protocol: a frame may span many reads.");
        Check.True(got[2].Type == MessageType.Text && got[2].Text == "fragmented", $"step 8: the third message (3 fragments): expected text \"fragmented\", got {got[2]}", Pump);
        Check.True(got[3].Type == MessageType.Binary && got[3].Data.IsEmpty, $"step 8: the fourth message: expected an empty binary message, got {got[3]}", Pump);
    }

    [Fact, Graded(2, Hint = Pump)]
    public async Task Messages_sent_on_the_connection_reach_a_dotnet_client_whole()
    {
        await using var pair = await SocketPair.StartAsync(Echo);
        var sizes = new[] { 0, 5, 125, 126, 16 * 1024, 70_000 };
        foreach (int size in sizes)
        {
            var text = Patterns.Text(size);
            await pair.SendFromServerAsync(Message.FromText(text), $"step 9: SendAsync of {size} bytes of text");
            var (type, data) = await DotnetWs.ReceiveAsync(pair.Client, $"step 9: .NET's client to receive the {size}-byte text message the connection sent", pair.Describe);
            Check.Equal(type, WebSocketMessageType.Text, $"step 9: the type of the {size}-byte message .NET received", Pump);
            Check.True(Encoding.UTF8.GetString(data) == text, $"step 9: the {size}-byte text message .NET received differs from the one sent ({data.Length} bytes came)",
                Pump + ". The writer encodes each frame whole (FrameEncoder.EncodeTo into the batch, or WriteLargeAsync past BatchSize).");
        }
        var binary = Patterns.Bytes(100_000, seed: 9);
        await pair.SendFromServerAsync(Message.FromBinary(binary), "step 9: SendAsync of 100000 binary bytes");
        var (t, d) = await DotnetWs.ReceiveAsync(pair.Client, "step 9: .NET's client to receive 100000 binary bytes", pair.Describe);
        Check.True(t == WebSocketMessageType.Binary && d.AsSpan().SequenceEqual(binary), $"step 9: the binary message .NET received: expected the 100000 bytes sent, got {t} with {d.Length} bytes", Pump);
        Check.Equal(pair.Server.BufferedAmount, 0L, "step 9: BufferedAmount once everything was written", Pump + ". Call Written(frame) for each frame that reached the stream.");
    }

    [Fact, Graded(2, Hint = Pump)]
    public async Task BufferedAmount_rises_while_the_peer_does_not_read_and_falls_to_0_when_it_does()
    {
        // Small socket buffers, so the kernel holds little and the queue holds the rest.
        await using var pair = await SocketPair.StartAsync(Echo, socketBuffer: 16 * 1024);
        const int count = 32, size = 64 * 1024;
        for (int i = 0; i < count; i++)
        {
            var result = pair.Server.TrySend(Message.FromBinary(Patterns.Bytes(size, seed: i)));
            Check.Equal(result, SendResult.Queued, $"step 7: TrySend of message {i + 1} of {count} ({size} bytes each; MaxBufferedBytes is 4 MiB)", Pump);
        }
        await Task.Delay(300); // the writer has had time to hand the kernel all it takes
        long buffered = pair.Server.BufferedAmount;
        Check.True(buffered >= count * size - 1024 * 1024,
            $"step 9: BufferedAmount while .NET's client reads nothing: expected most of the {count * size} bytes queued (at least {count * size - 1024 * 1024}), got {buffered}",
            Pump + ". The bytes of a frame leave BufferedAmount only once the stream took them (queue.Written after the write), as the browser's bufferedAmount does.");

        for (int i = 0; i < count; i++)
        {
            var (_, data) = await DotnetWs.ReceiveAsync(pair.Client, $"step 9: .NET's client to read message {i + 1} of {count}", pair.Describe);
            Check.True(data.AsSpan().SequenceEqual(Patterns.Bytes(size, seed: i)), $"step 9: message {i + 1} of {count}: the bytes .NET read differ from those sent ({data.Length} bytes came)", Pump);
        }
        await Eventually.TrueAsync(() => pair.Server.BufferedAmount == 0, Loopback.DefaultBound,
            "step 9: BufferedAmount to fall to 0 once .NET's client read everything", () => $"It is {pair.Server.BufferedAmount}. {Pump}");
    }

    [Fact, Graded(2, Hint = Pump)]
    public async Task Concurrent_SendAsync_from_8_tasks_never_interleaves_frames()
    {
        await using var pair = await SocketPair.StartAsync(Echo);
        const int tasks = 8, each = 40;
        var reading = Task.Run(async () =>
        {
            var got = new List<string>();
            for (int i = 0; i < tasks * each; i++)
            {
                var (_, data) = await DotnetWs.ReceiveAsync(pair.Client, $"step 9: .NET's client to receive message {i + 1} of {tasks * each} from 8 concurrent senders",
                    () => pair.Describe() + ". If .NET failed, frames of two messages were mixed on the wire: only the one writer may write, one whole frame after another. " + Pump);
                got.Add(Encoding.UTF8.GetString(data));
            }
            return got;
        });
        var senders = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (int seq = 0; seq < each; seq++)
                await pair.SendFromServerAsync(Message.FromText(Tagged(t, seq)), $"step 9: task {t}'s SendAsync of message {seq}").ConfigureAwait(false);
        })).ToArray();
        await Task.WhenAll(senders).Within(TimeSpan.FromSeconds(10), "step 9: 8 tasks to queue 40 messages each with SendAsync", pair.Describe);
        var received = await reading.Within(TimeSpan.FromSeconds(10), "step 9: .NET's client to receive all 320 messages", pair.Describe);
        var next = new int[tasks];
        foreach (var text in received)
        {
            var parts = text.Split(':', 3);
            int t = -1, seq = -1;
            bool tagged = parts.Length == 3 && int.TryParse(parts[0], out t) && t is >= 0 and < tasks && int.TryParse(parts[1], out seq);
            Check.True(tagged, $"step 9: a message .NET received is not one that was sent: {Visible.Quoted(text, 60)}", Pump + ". Messages must not interleave.");
            Check.True(text == Tagged(t, seq), $"step 9: message {t}:{seq} arrived corrupted ({text.Length} characters, expected {Tagged(t, seq).Length})", Pump + ". A message is queued whole and written whole.");
            Check.Equal(seq, next[t], $"step 9: the order of task {t}'s messages: after {next[t] - 1} came", Pump + ". One sender's messages go out in the order it sent them.");
            next[t]++;
        }
    }

    /// <summary>Task t's message seq: small ones batched together, and every fifth one larger than the 16 KiB batch.</summary>
    private static string Tagged(int task, int seq) =>
        $"{task}:{seq}:" + new string((char)('a' + task), seq % 5 == 0 ? 20_000 + 7 * seq : 10 + 37 * seq);

    [Fact, Graded(1, Hint = Closing)]
    public async Task A_close_from_the_peer_is_echoed_and_reported_clean()
    {
        await using var pair = await SocketPair.StartAsync(Echo, clientOwnsSocket: false);
        await pair.Client.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", default)
            .Within(Loopback.DefaultBound, "step 10: .NET's client to complete the closing handshake it started (the server must echo its close)", pair.Describe);
        Check.Equal(pair.Client.CloseStatus, WebSocketCloseStatus.NormalClosure, "step 10: the code of the close .NET's client received in answer", Closing + ". Echo the peer's code (§5.5.1).");
        // The server closes TCP first (§7.1.1); then the client closes its side, as .NET does when it owns the socket.
        await pair.ClientSocket.WaitForCloseAsync(TimeSpan.FromSeconds(3), "steps 8-10: the server's FIN after the closing handshake the client started", pair.Describe);
        pair.ClientSocket.Shutdown(SocketShutdown.Send);
        var closed = await pair.Run.Within(Loopback.DefaultBound, "step 10: RunAsync to end after the closing handshake", pair.Describe);
        Check.Equal((closed.Code, closed.Reason, closed.WasClean, closed.By), (1000, "bye", true, ClosedBy.Peer),
            "step 10: RunAsync's result (code, reason, clean, by)", Closing + ". The peer's code and reason, clean because both close frames went.");
    }

    [Fact, Graded(2, Hint = Closing)]
    public async Task CloseAsync_completes_the_handshake_and_the_server_closes_TCP_first()
    {
        await using var pair = await SocketPair.StartAsync(Echo, clientOwnsSocket: false);
        var closing = pair.Server.CloseAsync(CloseCode.NormalClosure, "done");
        Check.True(pair.Server.State == ConnectionState.Closing || closing.IsCompleted,
            $"step 10: State right after CloseAsync: expected Closing, got {pair.Server.State}", Closing);
        var buffer = new byte[16];
        var result = await pair.Client.ReceiveAsync(buffer, default).Within(Loopback.DefaultBound, "step 10: .NET's client to receive the close frame", pair.Describe);
        Check.Equal(result.MessageType, WebSocketMessageType.Close, "step 10: what .NET's client received after CloseAsync", Closing);
        Check.Equal((pair.Client.CloseStatus, pair.Client.CloseStatusDescription), (WebSocketCloseStatus.NormalClosure, "done"), "step 10: the status .NET's client received", Closing);
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", default).Within(Loopback.DefaultBound, ".NET's client to answer the close");

        // The client's socket is still open (the test holds it): the FIN must be the server's (§7.1.1: "the server SHOULD close it first").
        var fin = await pair.ClientSocket.WaitForCloseAsync(TimeSpan.FromSeconds(3),
            "step 10: the server to close TCP (FIN) after the closing handshake, before the client does", pair.Describe);
        Check.Equal(fin, PeerClose.Fin, "step 10: how the server ended TCP after a clean closing handshake", Closing + ". A FIN (Shutdown(Send)), not a reset.");
        pair.ClientSocket.Shutdown(SocketShutdown.Send);
        var closed = await closing.Within(Loopback.DefaultBound, "step 10: CloseAsync to complete", pair.Describe);
        Check.Equal((closed.Code, closed.WasClean, closed.By), (1000, true, ClosedBy.Local), "step 10: CloseAsync's result (code, clean, by)",
            Closing + ". The code is the one the peer answered with; clean, because both close frames went; Local, because this end closed first.");
        Check.Equal(pair.Server.State, ConnectionState.Closed, "step 10: State after the end", Closing);
    }

    [Fact, Graded(1, Hint = Closing)]
    public async Task A_silent_peer_is_dropped_at_the_close_timeout_and_the_close_is_not_clean()
    {
        // 1.5 s, not less: the timer starts when the close frame is queued, and on a loaded
        // 2-core machine the writer may take a while to write it.
        var options = WebSocketOptions.Default with { CloseTimeout = TimeSpan.FromMilliseconds(1500) };
        await using var pair = await SocketPair.StartAsync(Echo, options, dotnetClient: false);
        var started = DateTime.UtcNow;
        var closing = pair.Server.CloseAsync(CloseCode.GoingAway);
        var frame = await pair.ClientSocket.ReceiveBytesAsync(4, what: "step 10: the close frame (4 bytes: 88 02 03 e9)", context: pair.Describe);
        Check.Equal(HexDump.Hex(frame), "88 02 03 e9", "step 10: the bytes of the close frame for 1001 with no reason", Closing + "; RFC 6455 §5.5.1");
        // The peer reads it and says nothing: after CloseTimeout the server must give up on it.
        var closed = await closing.Within(TimeSpan.FromSeconds(6), "step 10: CloseAsync to end at the close timeout (1.5 s) although the peer never answered", pair.Describe);
        var took = DateTime.UtcNow - started;
        Check.Equal((closed.Code, closed.WasClean, closed.By), (1001, false, ClosedBy.Local), "step 10: the result when the peer never answered the close (code, clean, by)",
            Closing + ". This end started the close, so its own code says why (1001 here); not clean, because no close frame came back (§7.1.4); closed by this end.");
        Check.True(took >= TimeSpan.FromMilliseconds(1400), $"step 10: the connection was dropped after {took.TotalMilliseconds:0} ms; expected it to wait the close timeout (1.5 s) for the peer's close", Closing);
        var end = await pair.ClientSocket.WaitForCloseAsync(TimeSpan.FromSeconds(2), "the dropped connection to end (FIN or RST)");
        end.ShouldBeOneOf(PeerClose.Fin, PeerClose.Reset);
    }

    [Fact, Graded(1, Hint = Pump)]
    public async Task TCP_ending_without_a_close_frame_ends_the_connection_with_1006()
    {
        var got = new TaskCompletionSource<Message>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var pair = await SocketPair.StartAsync((_, message, _) => { got.TrySetResult(message); return ValueTask.CompletedTask; }, dotnetClient: false);
        // Last words, then the peer's FIN with no close frame.
        await pair.ClientSocket.SendBytesAsync(ClientFrames.Text("last words"));
        var message = await got.Task.Within(Loopback.DefaultBound, "step 8: the handler to get the message sent just before the FIN", pair.Describe);
        Check.True(message.Type == MessageType.Text && message.Text == "last words", $"step 8: the message before the FIN: expected text \"last words\", got {message}", Pump);
        pair.ClientSocket.Shutdown(SocketShutdown.Send);
        var closed = await pair.Run.Within(Loopback.DefaultBound, "step 8: RunAsync to end after the peer's FIN with no close frame (a 0-byte read)", pair.Describe);
        Check.Equal((closed.Code, closed.WasClean, closed.By), (1006, false, ClosedBy.Transport), "step 8: RunAsync's result after EOF (code, clean, by)",
            Pump + "; RFC 6455 §7.1.5 (1006 when TCP closes with no close frame). On a 0-byte read: protocol.ReceiveEof(), then return.");
        Check.True(closed.Error is null, $"step 8: RunAsync's result after EOF carries an error, {closed.Error?.GetType().Name}: {closed.Error?.Message}",
            Pump + ". The peer going away is no error of this end's: the receive loop returns normally after ReceiveEof().");
    }

    [Fact]
    public async Task RunAsync_may_be_called_only_once()
    {
        await using var pair = await SocketPair.StartAsync(Echo, dotnetClient: false);
        await Should.ThrowAsync<InvalidOperationException>(() => pair.Server.RunAsync(Echo));
    }
}

/// <summary>
/// A <see cref="WebSocketConnection"/> (server role) over a loopback TCP
/// connection, running, with .NET's client WebSocket on the other socket
/// (or only the raw socket). With clientOwnsSocket false, .NET's stream
/// does not own its socket, so the test decides when the client's FIN goes.
/// </summary>
internal sealed class SocketPair : IAsyncDisposable
{
    private SocketPair(Socket serverSocket, Socket clientSocket, WebSocketConnection server, WebSocket? client, Task<ConnectionClosed> run)
    {
        ServerSocket = serverSocket;
        ClientSocket = clientSocket;
        Server = server;
        dotnet = client;
        Run = run;
    }

    private readonly WebSocket? dotnet;

    public Socket ServerSocket { get; }
    public Socket ClientSocket { get; }
    public WebSocketConnection Server { get; }
    public WebSocket Client => dotnet ?? throw new InvalidOperationException("This pair has no .NET client.");
    public Task<ConnectionClosed> Run { get; }

    /// <summary>Connects two sockets on 127.0.0.1 and runs the connection with <paramref name="handler"/>; keepalive is off unless the options turn it on.</summary>
    /// <remarks>With a <paramref name="pool"/>, the connection runs as its member (<see cref="ConnectionPool.RunAsync"/>).</remarks>
    public static async Task<SocketPair> StartAsync(MessageHandler handler, WebSocketOptions? options = null, bool dotnetClient = true, int socketBuffer = 0,
        ConnectionPool? pool = null, bool clientOwnsSocket = true)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (socketBuffer > 0)
            listener.ReceiveBufferSize = listener.SendBufferSize = socketBuffer;
        listener.Bind(Loopback.AnyPort());
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (socketBuffer > 0)
            client.ReceiveBufferSize = client.SendBufferSize = socketBuffer;
        var accepting = listener.AcceptAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndPoint!).Within(Loopback.DefaultBound, "a loopback TCP connection");
        var server = await accepting.Within(Loopback.DefaultBound, "the accept of the loopback connection");
        server.NoDelay = true;
        if (socketBuffer > 0)
            server.SendBufferSize = server.ReceiveBufferSize = socketBuffer;
        options ??= WebSocketOptions.Default with { KeepAliveInterval = Timeout.InfiniteTimeSpan };
        var connection = new WebSocketConnection(new NetworkStream(server, ownsSocket: true), Role.Server, options, remote: client.LocalEndPoint!.ToString()!, path: "/test");
        var run = pool is null ? connection.RunAsync(handler) : pool.RunAsync(connection, handler);
        WebSocket? ws = dotnetClient
            ? WebSocket.CreateFromStream(new NetworkStream(client, ownsSocket: clientOwnsSocket), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero })
            : null;
        return new SocketPair(server, client, connection, ws, run);
    }

    /// <summary>SendAsync on the connection, bounded; a connection that is closed already fails the test with how it ended.</summary>
    public async Task SendFromServerAsync(Message message, string what)
    {
        try
        {
            await Server.SendAsync(message).Within(Loopback.DefaultBound, what, Describe);
        }
        catch (WebSocketClosedException e)
        {
            Check.Fail($"{what}: the connection was closed already ({e.Message})", Describe());
        }
    }

    /// <summary>For failure messages: the connection's state and, if it ended, how.</summary>
    public string Describe() =>
        $"The connection: State {Server.State}, BufferedAmount {Server.BufferedAmount}" +
        (Run.IsCompletedSuccessfully ? $", ended: {Run.Result}{(Run.Result.Error is { } e ? $" ({e.GetType().Name}: {e.Message})" : "")}" : Run.IsFaulted ? $", RunAsync threw {Run.Exception!.InnerException}" : ", running") +
        (dotnet is null ? "" : $". .NET's client: {dotnet.State}");

    public async ValueTask DisposeAsync()
    {
        Server.Abort();
        dotnet?.Abort();
        dotnet?.Dispose();
        ClientSocket.Dispose();
        try
        {
            await Run.Within(Loopback.DefaultBound, "RunAsync to end after Abort()", Describe);
        }
        catch (Exception) when (Run.IsFaulted)
        {
            // The test reports what went wrong; disposing only cleans up.
        }
    }
}

/// <summary>Deterministic payloads: text of any length (ASCII and multi-byte characters), bytes from a seed.</summary>
internal static class Patterns
{
    /// <summary>Text of exactly <paramref name="bytes"/> UTF-8 bytes: "0123456789é…" repeated (é is 2 bytes, € is 3), padded with ASCII.</summary>
    public static string Text(int bytes)
    {
        var text = new StringBuilder();
        int used = 0;
        string[] pieces = ["0123456789", "é", "abc", "€", " "];
        for (int i = 0; ; i++)
        {
            var piece = pieces[i % pieces.Length];
            int size = Encoding.UTF8.GetByteCount(piece);
            if (used + size > bytes)
                break;
            text.Append(piece);
            used += size;
        }
        return text.Append('x', bytes - used).ToString();
    }

    /// <summary><paramref name="count"/> bytes from a seeded random generator: the same for the same seed.</summary>
    public static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
