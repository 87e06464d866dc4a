using System.Net.Sockets;
using System.Text;

namespace Lab07.WebSocketClient;

/// <summary>
/// <c>echo URL</c>: connect offering no subprotocol and no extension, send
/// every message back with its type until the server closes, and say how it
/// ended. This is how a conformance suite (Autobahn's fuzzing server, the
/// course's black-box checker) tests a client.
/// </summary>
public static class EchoCommand
{
    /// <summary>Exit code: the closing handshake completed cleanly.</summary>
    public const int Clean = 0;

    /// <summary>Exit code: the connection opened, then failed or did not close cleanly.</summary>
    public const int Failed = 1;

    /// <summary>Exit code: no connection (refused handshake, no server, timeout).</summary>
    public const int NotOpened = 2;

    /// <summary>Runs the echo; returns the exit code. Messages go to <paramref name="output"/> (unless quiet); how it ended goes to <paramref name="log"/>.</summary>
    public static async Task<int> RunAsync(string url, WebSocketClientOptions options, TextWriter output, TextWriter log, bool quiet = false, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebSocketClient client;
        try
        {
            client = await WebSocketClient.ConnectAsync(url, options with { Protocols = [] }, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HandshakeFailedException or SocketException or ArgumentException or NotSupportedException or OperationCanceledException)
        {
            string why = ExceptionText.Plain(e);
            log.WriteLine(why.Contains(url, StringComparison.Ordinal) ? $"echo: no connection: {why}" : $"echo: no connection to {url}: {why}");
            return NotOpened;
        }
        await using (client.ConfigureAwait(false))
        {
            log.WriteLine($"echo: connected to {client.Url}");
            throw new NotImplementedException("Lab 07 · step 8: await foreach (var message in client.ReceiveAllAsync(cancellation)): write Describe(message) to output unless quiet, then await client.SendAsync(message, cancellation) (same type, same bytes; a WebSocketClosedException means the server's close came behind it: ignore it). After the loop, close = await client.Completion, log \"closed: {close}\", return close.WasClean ? Clean : Failed. A WebSocketFailedException ends the loop for a failed connection: log its Error.Message and its Close, return Failed. Notebook 07 §7.");
        }
    }

    /// <summary>One line per message: <c>text, 5 bytes: "Hello"</c> or <c>binary, 3 bytes: 00 ff 10</c>, cut short for long ones.</summary>
    public static string Describe(Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        const int Shown = 32;
        var data = message.Data.Span;
        if (message.Type == MessageType.Binary)
        {
            var hex = Convert.ToHexString(data[..Math.Min(data.Length, Shown / 2)]).ToLowerInvariant();
            var pairs = string.Join(' ', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));
            return $"binary, {Bytes(data.Length)}{(data.Length > 0 ? ": " + pairs : "")}{(data.Length > Shown / 2 ? " ..." : "")}";
        }
        var text = message.Text;
        var shown = new StringBuilder();
        foreach (var c in text.Length > Shown ? text[..Shown] : text)
            shown.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        return $"text, {Bytes(data.Length)}: \"{shown}\"{(text.Length > Shown ? " ..." : "")}";
    }

    private static string Bytes(int count) => count == 1 ? "1 byte" : $"{count} bytes";
}
