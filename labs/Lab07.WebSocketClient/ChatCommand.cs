using System.Net.Sockets;

namespace Lab07.WebSocketClient;

/// <summary>
/// <c>chat URL</c>: a console chat for Lab 06's <c>/chat</c> room, in its
/// plain <c>chat</c> subprotocol. Lines typed are sent; messages received are
/// printed; Ctrl+C (or the end of input) closes with 1000.
/// </summary>
public static class ChatCommand
{
    /// <summary>Runs the chat; returns 0 after a clean close, 1 after any other end, 2 with no connection.</summary>
    public static async Task<int> RunAsync(string url, WebSocketClientOptions options, TextReader input, TextWriter output, TextWriter log, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebSocketClient client;
        try
        {
            client = await WebSocketClient.ConnectAsync(url, options with { Protocols = ["chat"] }, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HandshakeFailedException or SocketException or ArgumentException or NotSupportedException or OperationCanceledException)
        {
            string why = ExceptionText.Plain(e);
            log.WriteLine(why.Contains(url, StringComparison.Ordinal) ? $"chat: no connection: {why}" : $"chat: no connection to {url}: {why}");
            return EchoCommand.NotOpened;
        }
        await using (client.ConfigureAwait(false))
        {
            if (client.Protocol != "chat")
            {
                log.WriteLine($"chat: {url} did not agree to the chat subprotocol (it chose \"{client.Protocol}\"); is it Lab 06's /chat?");
                await client.CloseAsync(1000, "", CancellationToken.None).ConfigureAwait(false);
                return EchoCommand.Failed;
            }
            log.WriteLine($"chat: connected to {client.Url}. Type a line and Enter to send it; Ctrl+C or end of input (Ctrl+D) leaves.");
            var printing = PrintAsync(client, output, log);
            using var stop = new CancellationTokenSource();
            using var interrupted = cancellation.Register(stop.Cancel);
            var ended = client.Completion.ContinueWith(_ => stop.Cancel(), TaskScheduler.Default);
            while (!stop.IsCancellationRequested)
            {
                // A console read cannot be cancelled on every platform: wait for it, or for the end, whichever comes first.
                var read = input.ReadLineAsync(CancellationToken.None).AsTask();
                await Task.WhenAny(read, Task.Delay(Timeout.Infinite, stop.Token)).ConfigureAwait(false);
                if (!read.IsCompleted || await read.ConfigureAwait(false) is not { } line)
                    break;
                if (line.Length == 0)
                    continue;
                try
                {
                    await client.SendAsync(line, stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is WebSocketClosedException or OperationCanceledException)
                {
                    break;
                }
            }
            var close = await client.CloseAsync(1000, "", CancellationToken.None).ConfigureAwait(false);
            await printing.ConfigureAwait(false);
            log.WriteLine($"closed: {close}");
            return close.WasClean ? EchoCommand.Clean : EchoCommand.Failed;
        }
    }

    private static async Task PrintAsync(WebSocketClient client, TextWriter output, TextWriter log)
    {
        try
        {
            await foreach (var message in client.ReceiveAllAsync().ConfigureAwait(false))
                output.WriteLine(message.Type == MessageType.Text ? message.Text : $"[binary, {message.Data.Length} bytes]");
        }
        catch (WebSocketFailedException failed)
        {
            log.WriteLine($"chat: {failed.Error.Message}");
        }
    }
}
