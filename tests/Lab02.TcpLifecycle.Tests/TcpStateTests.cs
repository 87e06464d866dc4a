using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// The states of live connections, seen through the lab's reader (notebook 02
/// §3 and §4; RFC 9293 §3.3.2, the state machine). The sockets here are raw
/// ones: only the reader is the learner's.
/// </summary>
public class TcpStateTests
{
    private const string Read = "Notebook 02 §3; RFC 9293 §3.3.2 (the states) and §3.6 (closing)";

    [Fact, Graded(3, Hint = Read)]
    public async Task States_of_a_four_way_close_match_the_snapshot()
    {
        using var pair = await TcpPair.OpenAsync();
        var table = new StringBuilder();
        async Task Step(string what, TcpState client, TcpState server)
        {
            await pair.StatesBecome(client, server, what, Read + ".");
            table.Append($"{what,-48}{client.Name(),-14}{server.Name()}\n");
        }
        table.Append($"client {pair.ClientEnd} ⇄ server {pair.ServerEnd}\n");
        table.Append($"{"after",-48}{"client",-14}server\n");

        await Step("connect and accept returned", TcpState.Established, TcpState.Established);

        pair.Client.Shutdown(SocketShutdown.Send);
        // FIN_WAIT_1 until the ACK of the FIN comes: up to some 40 ms when the server's kernel delays it (notebook 02 §4).
        await Step("client Shutdown(Send): FIN M, ACK M+1", TcpState.FinWait2, TcpState.CloseWait);

        await pair.Server.ReceiveToEndAsync(0, Loopback.DefaultBound, "the client's FIN (a 0-byte read) on the server's socket");
        pair.Server.Dispose();
        await Step("server read 0 bytes, Close(): FIN N, ACK N+1", TcpState.TimeWait, TcpState.Closed);

        await pair.Client.ReceiveToEndAsync(0, Loopback.DefaultBound, "the server's FIN (a 0-byte read) on the client's socket");
        pair.Client.Dispose();
        await Step("client read 0 bytes, Close()", TcpState.TimeWait, TcpState.Closed);

        table.ToString().ShouldMatchSnapshot(Scrub.ClientServerPorts(pair.ClientEnd.Port, pair.ServerEnd.Port));
    }

    [Fact, Graded(2, Hint = "Notebook 02 §3: connect waits for the SYN+ACK; RFC 9293 §3.5")]
    public async Task Connect_waits_in_SYN_SENT_while_the_backlog_is_full()
    {
        // Backlog 0: Linux queues one completed connection, then drops further SYNs
        // until Accept makes room; their clients wait in SYN_SENT, retrying.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(Loopback.AnyPort());
        listener.Listen(0);
        var server = (IPEndPoint)listener.LocalEndPoint!;
        using var first = await Loopback.ConnectAsync(server, Loopback.DefaultBound);

        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        second.Bind(Loopback.AnyPort()); // so its port is known before connect returns
        var secondEnd = (IPEndPoint)second.LocalEndPoint!;
        using var giveUp = new CancellationTokenSource();
        var connecting = second.ConnectAsync(server, giveUp.Token).AsTask();
        try
        {
            var state = TcpState.Closed;
            await Eventually.TrueAsync(() => (state = TcpTable.StateOf(secondEnd, server)) == TcpState.SynSent, Loopback.DefaultBound,
                $"the reader to show the second client {secondEnd} in SYN_SENT (its SYN unanswered: the backlog of {server} is full)",
                () => $"The reader (step 2) says {state.Name()}{(state == TcpState.Closed ? ": no entry found; check ParseEndPoint's byte order and that Find compares both ends" : "")}. " + Read + ".");
            Check.True(!connecting.IsCompleted, "The second connect returned, though the backlog was full.", "It should still wait for its SYN+ACK. " + Read + ".");
        }
        finally
        {
            giveUp.Cancel();
            try
            {
                await connecting.Within(Loopback.DefaultBound, "the second connect to stop once cancelled");
            }
            catch (OperationCanceledException)
            {
                // What a cancelled connect does.
            }
        }
    }
}
