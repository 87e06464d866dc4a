using System.Text;

namespace Lab01.SocketEcho.Tests;

/// <summary>A whole echo session, written down and compared with the approved transcript in snapshots/.</summary>
public class TranscriptSnapshotTests
{
    [Fact, Graded(1)]
    public async Task Echo_session_transcript_matches_the_snapshot()
    {
        var transcript = new Transcript();
        await using var server = await EchoServers.StartAsync();
        await using var client = await EchoClient.ConnectAsync(server.EndPoint).Within(Limits.Network, $"EchoClient.ConnectAsync({server.EndPoint})");
        int clientPort = ((System.Net.IPEndPoint)client.Socket.LocalEndPoint!).Port;
        transcript.Event("client", $"connect({server.EndPoint}) → connected from {client.Socket.LocalEndPoint}");

        foreach (var text in new[] { "hello\n", "two\r\nlines\r\n", "tab\tand ünïcödé\n" })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            transcript.ClientSent(bytes);
            var echo = await client.EchoAsync(bytes).Within(Limits.Network, $"the echo of {Visible.Quoted(bytes)}", server.Story);
            transcript.ServerSent(echo);
        }

        await client.CloseAsync().Within(Limits.Network, "CloseAsync (our FIN, then the server's)", server.Story);
        transcript.Event("client", "shutdown(Send): FIN sent; read until 0 bytes (the server's FIN); close()");

        // The server's own account, once it has closed the connection: its lines
        // come from one task per connection, so their order is fixed.
        await server.Log.WaitForAsync(line => line.EndsWith(" closed", StringComparison.Ordinal), Limits.Network,
            "the server to log that the connection is closed");
        transcript.Heading("server log");
        foreach (var line in server.Log.Lines)
            transcript.Add(line);

        transcript.ToString().ShouldMatchSnapshot(Scrub.Combine(
            Scrub.Port(server.EndPoint.Port, "<server-port>"),
            Scrub.Port(clientPort, "<client-port>")));
    }
}
