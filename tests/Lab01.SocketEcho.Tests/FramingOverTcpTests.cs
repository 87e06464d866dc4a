using System.Net.Sockets;

namespace Lab01.SocketEcho.Tests;

/// <summary>
/// The decoders on a real connection, through a proxy that re-chunks the
/// stream: client → chaos proxy → the lab's echo server, and back (notebook 01 §5-§6).
/// </summary>
public class FramingOverTcpTests
{
    private static readonly string[] Lines = ["hello", "", "ünïcödé ✓", "the last line"];
    private static readonly byte[][] Messages = [[.. "hello"u8], [], [.. Enumerable.Range(0, 300).Select(i => (byte)i)], [.. "has\nnewlines\r\nand \0 bytes"u8]];

    [Fact, Graded(1)]
    public Task Lines_survive_one_byte_at_a_time_delivery() =>
        RoundTrip(ChaosMode.OneByteAtATime, oneSend: false, Lines, LineFraming.Encode, LineDecoder, Expect.Show);

    [Fact, Graded(1)]
    public Task Lines_written_in_one_Send_and_delivered_glued_all_come_out() =>
        RoundTrip(ChaosMode.Coalesce, oneSend: true, Lines, LineFraming.Encode, LineDecoder, Expect.Show);

    [Fact, Graded(1)]
    public Task Length_prefixed_messages_survive_one_byte_at_a_time_delivery() =>
        RoundTrip(ChaosMode.OneByteAtATime, oneSend: false, Messages, m => LengthPrefixFraming.Encode(m), LengthPrefixDecoder, Expect.Show);

    [Fact, Graded(1)]
    public Task Length_prefixed_messages_written_in_one_Send_and_delivered_glued_all_come_out() =>
        RoundTrip(ChaosMode.Coalesce, oneSend: true, Messages, m => LengthPrefixFraming.Encode(m), LengthPrefixDecoder, Expect.Show);

    /// <summary>Sends the encoded messages, reads the echo through the decoder until all are back, checks them and the end of stream.</summary>
    private static async Task RoundTrip<T>(ChaosMode mode, bool oneSend, IReadOnlyList<T> messages, Func<T, byte[]> encode,
        Func<Decoder<T>> newDecoder, Func<T, string> show)
    {
        await using var server = await EchoServers.StartAsync();
        await using var proxy = ChaosProxy.Start(server.EndPoint, mode);
        using var socket = await Loopback.ConnectAsync(proxy.EndPoint, Limits.Network);
        string Story() => $"{proxy}\n{server.Story()}";

        var encoded = messages.Select(encode).ToArray();
        if (oneSend)
            await socket.SendBytesAsync(encoded.SelectMany(m => m).ToArray(), Limits.Network, "the messages to be sent", Story);
        else
            foreach (var message in encoded)
                await socket.SendBytesAsync(message, Limits.Network, "a message to be sent", Story);

        var decoder = newDecoder();
        var received = new List<T>();
        var reads = new List<int>();
        var buffer = new byte[4096];
        await Bounded.RunAsync(Limits.Network, $"{messages.Count} messages echoed through the {mode} proxy", async ct =>
        {
            while (received.Count < messages.Count)
            {
                int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct);
                if (n == 0)
                    throw new EndOfStreamException($"The echo ended (0-byte read) after {received.Count} of {messages.Count} messages.\n{Story()}");
                reads.Add(n);
                received.AddRange(decoder.Feed(buffer[..n]));
            }
        }, () => $"Decoded so far: [{string.Join(", ", received.Select(show))}]; reads of {Sizes(reads)} bytes; " +
                 $"{decoder.Buffered()} bytes buffered.\n{Story()}");

        Expect.SameMessages(received, messages, show, $"Messages decoded from the echo ({mode}, reads of {Sizes(reads)} bytes)",
            "Notebook 01 §5-§6: feed every read to the decoder; one read may hold part of a message, or several", Story);
        decoder.Buffered().ShouldBe(0, "All messages are decoded: no byte should stay buffered.");

        socket.Shutdown(SocketShutdown.Send);
        await socket.ReceiveToEndAsync(0, Limits.Network, "the server's FIN after ours, with nothing else", Story);
        Should.NotThrow(decoder.Finish, "The stream ended after complete messages: Finish has nothing to complain about.");
    }

    private static string Sizes(List<int> reads) =>
        reads.Count <= 12 ? string.Join(",", reads) : $"{string.Join(",", reads.Take(12))},… ({reads.Count} reads)";

    /// <summary>One shape for both decoders, so the round trip is written once.</summary>
    private sealed record Decoder<T>(Func<byte[], IReadOnlyList<T>> Feed, Func<int> Buffered, Action Finish);

    private static Decoder<string> LineDecoder()
    {
        var decoder = new LineDecoder(maxLineLength: 64);
        return new(bytes => decoder.Feed(bytes), () => decoder.BufferedByteCount, decoder.Finish);
    }

    private static Decoder<byte[]> LengthPrefixDecoder()
    {
        var decoder = new LengthPrefixDecoder(maxMessageLength: 1024);
        return new(bytes => decoder.Feed(bytes), () => decoder.BufferedByteCount, decoder.Finish);
    }
}
