using System.Net.Sockets;
using System.Text;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// Sending (notebook 07 §5; step 5): the browser's rules for
/// <c>send()</c> (InvalidStateError while CONNECTING, data after
/// <c>close()</c> dropped but counted, a full buffer closes the
/// connection), <see cref="WebSocketClient.BufferedAmount"/> rising and
/// falling with what the server reads, copies of the caller's bytes, and
/// many senders at once, every frame read back by an independent decoder
/// (<see cref="ScriptedServer"/>).
/// </summary>
public sealed class SendTests
{
    private const string Send =
        "Lab 07 · step 5 (Send(Message)): under lock (gate), CONNECTING → InvalidOperationException \"InvalidStateError: ...\"; then the pump's TrySend: Queued → done; " +
        "Full → sendBufferFull = true and Abort() (the browser closes a connection whose buffer is full); Closed (closing, closed, never opened) → not sent, but its size is added to discarded, " +
        "which BufferedAmount counts. Notebook 07 §5, WHATWG WebSockets send() and bufferedAmount.";

    private const string Order =
        "Lab 07 · step 5 and Lab 06's send queue: each message is queued whole (TrySend / SendAsync of the pump) and the one writer writes frame after frame: " +
        "concurrent senders never interleave, and one sender's messages keep their order. Notebook 07 §5, RFC 6455 §5.4 (\"the fragments of one message MUST NOT be interleaved\").";

    [Fact, Graded(1, Hint = Send)]
    public async Task Send_while_connecting_throws_an_InvalidStateError_and_counts_nothing()
    {
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.ReadRequestHeadAsync();
            requested.TrySetResult();
            await c.WaitForCloseAsync(TimeSpan.FromSeconds(5)); // the handshake never completes
        });
        await using var client = new WebSocketClient(server.Url("/echo"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);

        void Refused(string when)
        {
            foreach (var (what, send) in new (string, Action)[] { ("Send(\"hello\")", () => client.Send("hello")), ("Send(byte[3])", () => client.Send(new byte[3])) })
            {
                var e = Sessions.Throws<InvalidOperationException>(send, $"step 5: {what} {when}", Send + " The browser throws InvalidStateError while readyState is CONNECTING.");
                Check.True(e.Message.StartsWith("InvalidStateError", StringComparison.Ordinal),
                    $"step 5: {what} {when} threw InvalidOperationException whose message does not start with \"InvalidStateError\": {Visible.Quoted(e.Message, 120)}", Send);
            }
        }

        Refused("before Connect()");
        client.Connect();
        await timeline.WhileConnectionLivesAsync(requested.Task, "the client's handshake request");
        Refused("while the handshake waits for the server's answer");
        Check.Equal(client.BufferedAmount, 0L, "step 5: BufferedAmount after refused sends", Send + " A send that threw queued nothing.");
        client.Close();
        await timeline.ClosedAsync("the close event after Close() while CONNECTING");
    }

    [Fact, Graded(1, Hint = Send)]
    public async Task Send_after_Close_sends_nothing_but_BufferedAmount_grows_by_its_size()
    {
        var frames = new List<ClientFrame>();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            frames.Add(await c.ReadFrameAsync("the client's close after Close(1000)", TimeSpan.FromSeconds(3)));
            await c.SendCloseAsync(1000);
            c.CloseOutput();
            try
            {
                frames.Add(await c.ReadFrameAsync("anything after the client's close (nothing should come; TCP should end)", TimeSpan.FromSeconds(3)));
            }
            catch (Exception e) when (e is IOException or SocketException)
            {
                // The client closed TCP: nothing came after its close.
            }
        });
        await using var client = new WebSocketClient(server.Url("/"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.OpenedAsync("OnOpen");

        client.Close(1000);
        Check.Equal(client.ReadyState, ConnectionState.Closing, "ReadyState right after Close(1000)", Send);
        client.Send("12345");
        client.Send(new byte[10]);
        await Eventually.TrueAsync(() => client.BufferedAmount == 15, Sessions.Bound,
            "step 5: BufferedAmount to be 15 after Send of 5 + 10 bytes while CLOSING (the close frame itself written)",
            () => $"It is {client.BufferedAmount}. {Send} The browser adds the size of data sent after close() to bufferedAmount, and sends nothing.\n{timeline.Describe()}");

        await timeline.ClosedAsync("the close event after the server answered");
        client.Send("abc");
        Check.Equal(client.BufferedAmount, 18L, "step 5: BufferedAmount after one more Send of 3 bytes once CLOSED", Send);
        await server.ScriptsFinishedAsync();
        Check.True(frames.Count == 1 && frames[0].Opcode == 8,
            $"step 5: frames the server read: expected only the close frame, got {frames.Count}: {string.Join("; ", frames)}",
            Send + " RFC 6455 §5.5.1: no data frame after a close frame.");
    }

    [Fact, Graded(2, Hint = Send)]
    public async Task BufferedAmount_rises_while_the_server_does_not_read_and_falls_to_0_once_it_has_read_everything()
    {
        const int count = 16, size = 1 << 20;
        var startReading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var problems = new List<string>();
        await using var server = ScriptedServer.Start(async c =>
        {
            c.Socket.ReceiveBufferSize = 64 * 1024; // the kernel holds little: the rest waits in the client
            await c.AcceptAsync();
            await startReading.Task.WaitAsync(TimeSpan.FromSeconds(10));
            for (int i = 0; i < count; i++)
            {
                var frame = await c.ReadFrameAsync($"message {i + 1} of {count} (1 MiB each)", TimeSpan.FromSeconds(5));
                if (frame.Opcode != 2 || frame.Payload.Length != size || frame.Payload[0] != i || !frame.Fin)
                    problems.Add($"message {i + 1}: expected a whole binary frame of {size} bytes starting with {i}, got {frame}, first byte {(frame.Payload.Length > 0 ? frame.Payload[0] : -1)}");
            }
            var close = await c.ReadFrameAsync("the client's close", TimeSpan.FromSeconds(5));
            await c.AnswerCloseAsync(close);
        }, TimeSpan.FromSeconds(30));
        await using var client = new WebSocketClient(server.Url("/"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.OpenedAsync("OnOpen");

        for (int i = 0; i < count; i++)
        {
            var data = new byte[size];
            data[0] = (byte)i;
            client.Send(data);
        }
        long queued = client.BufferedAmount;
        Check.True(queued > 8L * size,
            $"step 5: BufferedAmount right after Send of {count} × 1 MiB to a server that reads nothing: expected more than 8 MiB ({8L * size}), got {queued}",
            Send + " Send never waits: what the socket has not taken yet stays in the queue and in BufferedAmount (Lab 06's BufferedAmount counts until the writer wrote it).");

        startReading.TrySetResult();
        await Eventually.TrueAsync(() => client.BufferedAmount == 0, TimeSpan.FromSeconds(10),
            "step 5: BufferedAmount to fall to 0 once the server read all 16 MiB", () => $"It is {client.BufferedAmount}. {Send}\n{timeline.Describe()}");
        client.Close(1000);
        var close = await timeline.ClosedAsync("the close event after the server read everything");
        await server.ScriptsFinishedAsync(TimeSpan.FromSeconds(10));
        Check.True(problems.Count == 0, $"step 5: the messages the server read: {string.Join("; ", problems)}", Send);
        Check.Equal(close, new CloseEvent(1000, "", true), "the close event", Send);
    }

    [Fact, Graded(1, Hint = Send)]
    public async Task Send_copies_the_callers_bytes_so_changing_them_afterwards_changes_nothing()
    {
        var frames = new List<ClientFrame>();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            for (int i = 0; i < 3; i++)
                frames.Add(await c.ReadFrameAsync($"the client's message {i + 1} of 3", TimeSpan.FromSeconds(5)));
            var close = await c.ReadFrameAsync("the client's close", TimeSpan.FromSeconds(5));
            await c.AnswerCloseAsync(close);
        });
        // The tap runs on the writer: holding it there keeps the next messages in the queue, unencoded, while the test changes their arrays.
        int hold = 0;
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim(false);
        var options = Sessions.Fast() with
        {
            Tap = (direction, _) =>
            {
                if (direction == WireDirection.Sent && Volatile.Read(ref hold) == 1)
                {
                    holding.TrySetResult();
                    release.Wait(TimeSpan.FromSeconds(5));
                }
            },
        };
        await using var client = new WebSocketClient(server.Url("/"), options);
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.OpenedAsync("OnOpen");
        try
        {
            Volatile.Write(ref hold, 1);
            client.Send("first");
            await timeline.WhileConnectionLivesAsync(holding.Task, "the writer to start writing \"first\"");
            Volatile.Write(ref hold, 0);
            var array = new byte[] { 1, 2, 3 };
            client.Send(array);
            array.AsSpan().Fill(99);
            var memory = new byte[] { 4, 5, 6 };
            client.Send(memory.AsMemory());
            memory.AsSpan().Fill(99);
        }
        finally
        {
            release.Set();
        }
        client.Close(1000);
        await timeline.ClosedAsync("the close event");
        await server.ScriptsFinishedAsync();
        Check.True(frames[1].Payload.SequenceEqual(new byte[] { 1, 2, 3 }),
            $"step 5: the message of Send(byte[] {{ 1, 2, 3 }}) whose array was then filled with 99: the server got {Visible.Quoted(frames[1].Payload)}",
            Send + " Send(byte[]) copies the bytes (as the browser copies an ArrayBuffer): the caller may reuse its array at once.");
        Check.True(frames[2].Payload.SequenceEqual(new byte[] { 4, 5, 6 }),
            $"step 5: the message of Send(ReadOnlyMemory<byte> {{ 4, 5, 6 }}) whose array was then filled with 99: the server got {Visible.Quoted(frames[2].Payload)}", Send);
    }

    [Fact, Graded(1, Hint = Send)]
    public async Task A_full_send_buffer_closes_the_connection_with_an_error_then_close_1006()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = ScriptedServer.Start(async c =>
        {
            c.Socket.ReceiveBufferSize = 64 * 1024;
            await c.AcceptAsync();
            await done.Task.WaitAsync(TimeSpan.FromSeconds(8)); // reads nothing
        });
        var options = Sessions.Fast() with { Connection = Sessions.Fast().Connection with { MaxBufferedBytes = 64 * 1024 } };
        await using var client = new WebSocketClient(server.Url("/"), options);
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.OpenedAsync("OnOpen");
        try
        {
            int sent = 0;
            for (; sent < 200 && client.ReadyState == ConnectionState.Open; sent++)
                client.Send(new byte[128 * 1024]); // 25 MiB at most: far past what the kernel holds for a server that does not read
            var close = await timeline.ClosedAsync($"step 5: the close event after {sent} Send calls of 128 KiB with MaxBufferedBytes 64 KiB (no close timeout: the connection is dropped)", TimeSpan.FromSeconds(3));
            Check.Equal(close, new CloseEvent(1006, "", false), $"the close event once the send buffer was full ({sent} Send calls of 128 KiB)",
                Send + " TrySend said Full: Abort() the connection (no closing handshake), so the close event is 1006.");
            Check.Equal(timeline.Errors, 1, "error events before the close event", Send + " The browser raises error, then close.\n" + timeline.Describe());
            Check.True(timeline.Lines.Count >= 2 && timeline.Lines[^2].StartsWith("error", StringComparison.Ordinal), "the error event did not come right before the close event", Send + "\n" + timeline.Describe());
            Check.True(client.BufferedAmount > 0, $"step 5: BufferedAmount after the connection closed for a full buffer: expected what was never sent (> 0), got {client.BufferedAmount}", Send);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    private static string Tagged(int task, int seq, int size)
    {
        var prefix = $"{task}:{seq}:";
        return prefix + new string((char)('a' + task), Math.Max(0, size - prefix.Length));
    }

    [Fact, Graded(3, Hint = Order)]
    public async Task Eight_concurrent_senders_never_interleave_frames_and_each_keeps_its_order()
    {
        const int tasks = 8, each = 100;
        int[] sizes = [5, 120, 3_000, 17_000, 40_000]; // 17 KB and 40 KB are past the writer's 16 KiB batch
        var frames = new List<ClientFrame>();
        await using var server = ScriptedServer.Start(async c =>
        {
            await c.AcceptAsync();
            for (int i = 0; i < tasks * each; i++)
                frames.Add(await c.ReadFrameAsync($"frame {i + 1} of {tasks * each} from 8 concurrent senders", TimeSpan.FromSeconds(5)));
            var close = await c.ReadFrameAsync("the client's close after the 800 messages", TimeSpan.FromSeconds(5));
            frames.Add(close);
            await c.AnswerCloseAsync(close);
        }, TimeSpan.FromSeconds(30));
        await using var client = new WebSocketClient(server.Url("/"), Sessions.Fast());
        var timeline = new Sessions.Timeline(client);
        client.Connect();
        await timeline.OpenedAsync("OnOpen");

        // Tasks 0-3 use SendAsync, tasks 4-7 the browser's Send; even messages are text, odd ones binary.
        var senders = Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            for (int seq = 0; seq < each; seq++)
            {
                var text = Tagged(t, seq, sizes[seq % sizes.Length]);
                bool binary = seq % 2 == 1;
                if (t < 4)
                {
                    if (binary)
                        await client.SendAsync(Encoding.UTF8.GetBytes(text).AsMemory());
                    else
                        await client.SendAsync(text);
                }
                else if (binary)
                {
                    client.Send(Encoding.UTF8.GetBytes(text));
                }
                else
                {
                    client.Send(text);
                }
            }
        })).ToArray();
        await Task.WhenAll(senders).Within(TimeSpan.FromSeconds(10), "8 tasks to send 100 messages each", timeline.Describe);
        client.Close(1000);
        await timeline.ClosedAsync("the close event after the 800 messages", TimeSpan.FromSeconds(10));
        await server.ScriptsFinishedAsync(TimeSpan.FromSeconds(10));

        Check.Equal(frames.Count, tasks * each + 1, "frames the server read (800 messages, then the close)", Order);
        var next = new int[tasks];
        foreach (var frame in frames.Take(tasks * each))
        {
            Check.True(frame.Fin && frame.Rsv == 0 && frame.Opcode is 1 or 2 && frame.Masked,
                $"a frame the server read is not a whole masked text or binary frame: {frame}", Order + " Each message goes as one frame with FIN, masked (RFC 6455 §5.3).");
            var text = Encoding.UTF8.GetString(frame.Payload);
            var parts = text.Split(':', 3);
            int t = -1, seq = -1;
            bool tagged = parts.Length == 3 && int.TryParse(parts[0], out t) && t is >= 0 and < tasks && int.TryParse(parts[1], out seq) && seq is >= 0 and < each;
            Check.True(tagged, $"a frame's payload is not one of the messages sent: {Visible.Quoted(frame.Payload, 60)} ({frame})", Order + " Bytes of two messages were mixed.");
            Check.True(text == Tagged(t, seq, sizes[seq % sizes.Length]),
                $"message {t}:{seq} arrived with {frame.Payload.Length} bytes, expected {Tagged(t, seq, sizes[seq % sizes.Length]).Length}, or its bytes differ", Order);
            Check.Equal(frame.Opcode, seq % 2 == 1 ? 2 : 1, $"the opcode of message {t}:{seq}", Order + " Text stays text (1), binary stays binary (2).");
            Check.Equal(seq, next[t], $"the order of task {t}'s messages: after {next[t] - 1} came", Order);
            next[t]++;
        }
        Check.True(frames[^1].Opcode == 8, $"the frame after the 800 messages: expected the close, got {frames[^1]}", Order);
    }
}
