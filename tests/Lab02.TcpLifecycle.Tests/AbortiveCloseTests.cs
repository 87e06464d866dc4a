namespace Lab02.TcpLifecycle.Tests;

/// <summary>The abortive close: RST instead of FIN (RFC 9293 §3.10.5 ABORT, §3.5.3 reset processing; notebook 02 §5).</summary>
public class AbortiveCloseTests
{
    private const string Read = "Notebook 02 §5; RFC 9293 §3.10.5 (ABORT) and §3.5.3 (reset processing); socket(7), SO_LINGER";

    [Fact, Graded(2, Hint = Read)]
    public async Task Abortive_close_makes_the_next_receive_of_the_peer_fail_with_ConnectionReset()
    {
        using var pair = await TcpPair.OpenAsync();

        AbortiveClose.Reset(pair.Client);

        var seen = await pair.Server.WaitForCloseAsync(Loopback.DefaultBound, "the server's receive to end after AbortiveClose.Reset(client)");
        Check.Equal(seen, PeerClose.Reset, "How the server's receive ended after AbortiveClose.Reset (step 4)",
            "Fin means a 0-byte read: the client closed politely. Set LingerState = new LingerOption(true, 0) before Close, so close(2) " +
            "sends RST and the peer's receive fails with SocketError.ConnectionReset. " + Read + ".");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task Abortive_close_leaves_no_TIME_WAIT_behind()
    {
        using var pair = await TcpPair.OpenAsync();

        AbortiveClose.Reset(pair.Client);

        // A FIN would leave the client in FIN_WAIT_2 (the server does not close);
        // a RST ends both ends at once, with no TIME_WAIT. Read from /proc/net/tcp
        // directly, so that this test does not depend on the reader of step 2.
        const string Why = "After a RST both ends vanish at once. After a FIN the server's end stays in CLOSE_WAIT (08) and the client's in FIN_WAIT (04, 05): " +
            "set LingerState = new LingerOption(true, 0) before Close. " + Read + ".";
        if (File.Exists("/proc/net/tcp"))
            await Eventually.TrueAsync(() => pair.RawLines().Count == 0, Loopback.DefaultBound,
                "both ends of the connection to leave /proc/net/tcp after AbortiveClose.Reset (step 4) of the client", () => $"{Why}\n{pair.KernelLines()}");
        else
            await pair.StatesBecome(TcpState.Closed, TcpState.Closed, "AbortiveClose.Reset (step 4) of the client", Why);
    }
}
