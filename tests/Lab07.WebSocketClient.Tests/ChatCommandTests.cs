using System.Net.WebSockets;
using System.Text;
using Lab06.WebSocketServer.Tests;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// The <c>chat</c> command (notebook 07 §8), in process, in Lab 06's
/// <c>/chat</c> room with another member: .NET's own
/// <see cref="ClientWebSocket"/>, so that the other side of the room is not
/// this lab's code. What the command reads goes to the room; what the room
/// says comes out; the end of input closes with 1000 and exit code 0.
/// </summary>
public sealed class ChatCommandTests
{
    private const string Chat =
        "Lab 07 · steps 4-7 through ChatCommand.RunAsync (given): it connects with ConnectAsync offering \"chat\", sends each line with SendAsync, prints each message of " +
        "await foreach over ReceiveAllAsync, and at the end of input awaits CloseAsync(1000): exit code 0 when the close was clean. Notebook 07 §8.";

    /// <summary>.NET's client in the room, speaking the plain <c>chat</c> subprotocol.</summary>
    private static async Task<ClientWebSocket> JoinAsync(TestServer server)
    {
        var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("chat");
        ws.Options.KeepAliveInterval = TimeSpan.Zero;
        await ws.ConnectAsync(server.Ws("/chat"), CancellationToken.None).Within(Sessions.Bound, ".NET's ClientWebSocket to join /chat", server.Context);
        return ws;
    }

    /// <summary>The next whole text message .NET's client receives, within the bound.</summary>
    private static Task<string> NextAsync(ClientWebSocket ws, string what, Func<string> context) =>
        Bounded.RunAsync(Sessions.Bound, what, async ct =>
        {
            var message = new MemoryStream();
            var buffer = new byte[4096];
            while (true)
            {
                var result = await ws.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                    throw new IOException($"The room closed .NET's client ({result.CloseStatus} {result.CloseStatusDescription}) while it waited for {what}.");
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                    return Encoding.UTF8.GetString(message.ToArray());
            }
        }, context);

    /// <summary>Reads .NET's client's messages until one matches (join notices of others may come first).</summary>
    private static async Task<string> NextMatchingAsync(ClientWebSocket ws, Func<string, bool> match, string what, Func<string> context)
    {
        var seen = new List<string>();
        for (int i = 0; i < 20; i++)
        {
            var text = await NextAsync(ws, what, () => $"Seen so far: {string.Join(" | ", seen)}\n{context()}");
            if (match(text))
                return text;
            seen.Add(text);
        }
        Check.Fail($"{what}: 20 messages came and none matched: {string.Join(" | ", seen)}", Chat);
        return "";
    }

    /// <summary>
    /// Awaits <paramref name="task"/>, unless the command ends first (it threw,
    /// or returned early): then the test fails at once with how it ended,
    /// rather than waiting for the bound.
    /// </summary>
    private static async Task<T> WhileRunningAsync<T>(Task<int> run, Task<T> task, string what, Func<string> context)
    {
        if (await Task.WhenAny(run, task) == run && !task.IsCompleted)
        {
            _ = task.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            int code = await run; // rethrows what the command threw
            Check.Fail($"{what}: ChatCommand.RunAsync returned {code} before that", Chat + "\n" + context());
        }
        return await task;
    }

    private static async Task CloseAsync(ClientWebSocket ws)
    {
        try
        {
            await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None).Within(Sessions.Bound, ".NET's client to close");
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
        {
            ws.Abort();
        }
        ws.Dispose();
    }

    [Fact, Graded(1, Hint = Chat)]
    public async Task Chat_sends_each_line_of_its_input_to_the_room_and_exits_0_at_the_end_of_input()
    {
        await using var server = TestServer.Start();
        var other = await JoinAsync(server);
        try
        {
            await NextMatchingAsync(other, t => t.Contains("joined (1 here)", StringComparison.Ordinal), "the other member's own join notice", server.Context);
            var output = new LineLog("the chat command's output");
            var log = new LineLog("the chat command's log");
            var input = new StringReader("hello room\n\nsecond line\n");
            var code = await ChatCommand.RunAsync(server.Ws("/chat").ToString(), Sessions.Fast(), input, new Sessions.LineWriter(output), new Sessions.LineWriter(log))
                .Within(Sessions.Bound, "ChatCommand.RunAsync to send 2 lines and end at the end of input", () => output.Describe() + "\n" + log.Describe());
            Check.Equal(code, EchoCommand.Clean, "the chat command's exit code at the end of input",
                Chat + " The end of input closes with 1000; Lab 06 answers, so the close is clean: 0.\n" + log.Describe());

            Func<string> context = () => server.Context() + "\n" + log.Describe();
            var joined = await NextMatchingAsync(other, t => t.Contains("joined (2 here)", StringComparison.Ordinal), "the chat command's join notice", context);
            var id = joined.Split(' ')[1];
            var first = await NextAsync(other, "the first line the chat command read", context);
            var second = await NextAsync(other, "the second line the chat command read (the empty line is skipped)", context);
            var left = await NextAsync(other, "the chat command's leave notice", context);
            Check.Equal(first, $"{id}: hello room", "what the other member got first from the chat command", Chat + " Each line read is one text message.");
            Check.Equal(second, $"{id}: second line", "what the other member got next", Chat + " An empty line sends nothing.");
            Check.True(left.StartsWith($"← {id} left", StringComparison.Ordinal), $"after the lines, the other member got {Visible.Quoted(left)}, not the chat command's leave notice", Chat);
        }
        finally
        {
            await CloseAsync(other);
        }
    }

    [Fact, Graded(2, Hint = Chat)]
    public async Task Chat_prints_what_the_other_members_say_and_sends_what_is_typed()
    {
        await using var server = TestServer.Start();
        var other = await JoinAsync(server);
        var input = new Sessions.TypedInput();
        try
        {
            await NextMatchingAsync(other, t => t.Contains("joined (1 here)", StringComparison.Ordinal), "the other member's own join notice", server.Context);
            var output = new LineLog("the chat command's output");
            var log = new LineLog("the chat command's log");
            var run = ChatCommand.RunAsync(server.Ws("/chat").ToString(), Sessions.Fast(), input, new Sessions.LineWriter(output), new Sessions.LineWriter(log));
            Func<string> context = () => $"{(run.IsFaulted ? $"ChatCommand.RunAsync threw {run.Exception!.InnerException!.GetType().Name}: {run.Exception.InnerException.Message}\n" : "")}{output.Describe()}\n{log.Describe()}";

            await WhileRunningAsync(run, NextMatchingAsync(other, t => t.Contains("joined (2 here)", StringComparison.Ordinal), "the chat command's join notice", context),
                "the chat command's join notice", context);
            await WhileRunningAsync(run, output.WaitForAsync(l => l.Contains("joined (2 here)", StringComparison.Ordinal), Sessions.Bound, "the chat command to print its own join notice"),
                "the chat command to print its own join notice", context);

            await other.SendAsync(Encoding.UTF8.GetBytes("hi console"), WebSocketMessageType.Text, true, CancellationToken.None).Within(Sessions.Bound, ".NET's client to say \"hi console\"");
            var printed = await WhileRunningAsync(run, output.WaitForAsync(l => l.EndsWith(": hi console", StringComparison.Ordinal), Sessions.Bound, "the chat command to print what the other member said"),
                "the chat command to print what the other member said", context);
            Check.True(printed.Length > ": hi console".Length, $"the printed line {Visible.Quoted(printed)} does not name who spoke", Chat);

            input.Type("hello from the console");
            await WhileRunningAsync(run, NextMatchingAsync(other, t => t.EndsWith(": hello from the console", StringComparison.Ordinal), "the line typed into the chat command", context),
                "the line typed into the chat command", context);

            input.End();
            var code = await run.Within(Sessions.Bound, "ChatCommand.RunAsync to end after the end of input", context);
            Check.Equal(code, EchoCommand.Clean, "the chat command's exit code at the end of input", Chat + "\n" + log.Describe());
        }
        finally
        {
            input.End();
            await CloseAsync(other);
        }
    }
}
