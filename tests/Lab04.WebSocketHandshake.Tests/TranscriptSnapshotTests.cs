using System.Text;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// Whole handshakes as snapshots, CR and LF visible (dates, ports and random
/// keys scrubbed): the bytes of RFC 6455 §4, to read and to compare.
/// </summary>
public class TranscriptSnapshotTests
{
    private const string Read = "Notebook 04 §8; the approved file in tests/Lab04.WebSocketHandshake.Tests/snapshots/ shows every expected byte, fields in the order the step hints give";

    /// <summary>A refusal written with its head as it came and its body (the learner's own words) replaced by a placeholder.</summary>
    private static void AddRefusal(Transcript transcript, WireResponse response)
    {
        int headLength = response.Raw.Length - Encoding.UTF8.GetByteCount(response.Body);
        var pieces = Visible.Escape(response.Raw.AsSpan(0, headLength)).Split('␊');
        transcript.Add($"{transcript.Server} → {transcript.Client}  <n> bytes");
        foreach (var piece in pieces[..^1])
            transcript.Add("  " + piece + "␊");
        transcript.Add("  <the reason, in words, for whoever reads the response>");
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Server_handshake_and_refusal_match_the_snapshot()
    {
        await using var server = await HandshakeServer.StartAsync();
        var transcript = new Transcript("client", "server") { MaxBytesShown = 1000 };

        // Host and Origin as in RFC 6455 §1.3 (the server does not check Host against its address), so that byte counts do not depend on the port.
        const string host = "server.example.com";
        transcript.Note("a handshake on /echo with the key of RFC 6455 §1.3, from a page of the same host, offering chat, json and permessage-deflate");
        await using (var wire = await HttpWire.ConnectAsync(server.EndPoint, transcript))
        {
            var request = Handshakes.Request(host, extra:
                ["Origin: http://" + host, "Sec-WebSocket-Protocol: chat, json", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits"]);
            var response = await wire.ExchangeAsync(request, "step 7: the 101", context: server.Story);
            Check.Equal(response.Status, 101, "step 7: the status of the RFC's example handshake", $"{Read}\n{Handshakes.Explain(response, server.Story)}");
            transcript.Note("from here on the connection speaks WebSocket, not HTTP (frames come in Lab 05)");
            transcript.Event("client", "closes the connection");
        }

        transcript.Note("a second connection: Sec-WebSocket-Version 8 is refused with 426, and the versions this server speaks");
        await using (var wire = await HttpWire.ConnectAsync(server.EndPoint))
        {
            var request = Handshakes.Request(host, wsVersion: "8");
            transcript.DataByLine(transcript.Client, transcript.Server, Encoding.ASCII.GetBytes(request));
            var response = await wire.ExchangeAsync(request, "step 7: the 426", context: server.Story);
            Check.Equal(response.Status, 426, "step 7: the status for Sec-WebSocket-Version: 8 (steps 4-5 refuse it)", $"{Read}\n{Handshakes.Explain(response, server.Story)}");
            AddRefusal(transcript, response);
        }

        transcript.ToString().ShouldMatchSnapshot(Scrub.Pattern(@"Content-Length: \d+", "Content-Length: <n>"));
    }

    [Fact, Graded(1, Hint = "Notebook 04 §7-§8; the approved file in tests/Lab04.WebSocketHandshake.Tests/snapshots/ shows every expected byte, fields in the order the step hints give")]
    public async Task Client_handshake_with_the_server_matches_the_snapshot()
    {
        await using var server = await HandshakeServer.StartAsync();
        var sent = new MemoryStream();
        var received = new MemoryStream();
        var options = new ClientHandshakeOptions { Subprotocols = ["json", "chat"], Timeout = TimeSpan.FromSeconds(5) };
        // The tap collects the bytes; the transcript is written after the handshake, in a fixed order.
        HandshakeConnection connection;
        try
        {
            connection = await HandshakeClient.ConnectAsync(server.EchoUrl, options,
                tap: (direction, bytes) => (direction == WireDirection.Sent ? sent : received).Write(bytes.Span))
                .Within(TimeSpan.FromSeconds(10), "step 9: HandshakeClient.ConnectAsync to the lab's server", server.Story);
        }
        catch (HandshakeFailedException e)
        {
            Check.Fail($"step 9: the lab's client and the lab's server did not complete a handshake: {e.Failure}: {e.Message}",
                $"Notebook 04 §7-§8. The bytes sent: {Visible.Quoted(sent.ToArray())}; received: {Visible.Quoted(received.ToArray())}\nThe server's log:\n{server.Story()}");
            return;
        }
        await using var _ = connection;

        var transcript = new Transcript("client", "server") { MaxBytesShown = 1000 };
        transcript.Note("the lab's client (a random key) and the lab's server, subprotocols json and chat offered");
        transcript.DataByLine(transcript.Client, transcript.Server, sent.ToArray());
        transcript.DataByLine(transcript.Server, transcript.Client, received.ToArray());
        transcript.Event("client", $"handshake complete: subprotocol {connection.Result.Subprotocol ?? "none"}, extensions {(connection.Result.Extensions.Count == 0 ? "none" : ExtensionOffers.Format(connection.Result.Extensions))}");

        var key = connection.Handshake.Key;
        // The request's length depends on the port's digits (in Host): scrubbed too.
        transcript.ToString().ShouldMatchSnapshot(Scrub.Combine(Scrub.Replace(key, "<key>"), Scrub.Replace(Handshakes.AcceptFor(key), "<accept>"),
            Scrub.Pattern(@"client → server  \d+ bytes", "client → server  <n> bytes")));
    }
}
