using System.Net;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// The reader of /proc/net/tcp, with lines of text alone (notebook 02 §3; proc(5)).
/// The expected addresses assume a little-endian machine (x86, ARM), as Linux prints them there.
/// </summary>
public class TcpTableParsingTests
{
    private const string Read = "Notebook 02 §3 (reading the kernel's table); proc(5), /proc/net/tcp";

    [Fact, Graded(2, Hint = Read)]
    public void ParseLine_reads_the_hex_addresses_ports_and_state_of_proc_net_tcp()
    {
        ExpectEntry("   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 40123 1 0000000000000000 100 0 0 10 0",
            "127.0.0.1:8080", "0.0.0.0:0", TcpState.Listen);
        ExpectEntry("   1: 0100007F:A2C4 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 40124 1 0000000000000000 20 4 30 10 -1",
            "127.0.0.1:41668", "127.0.0.1:8080", TcpState.Established);
        // Not a palindrome of bytes: 10.0.2.15 is 0A 00 02 0F in network order, printed backwards.
        ExpectEntry("  12: 0F02000A:0016 6400A8C0:D431 06 00000000:00000000 03:00001234 00000000     0        0 0 3 0000000000000000",
            "10.0.2.15:22", "192.168.0.100:54321", TcpState.TimeWait);
        ExpectEntry("   7: 0100007F:8A57 0100007F:E2C0 08 00000000:00000000 00:00000000 00000000     0        0 51234 1 0000000000000000 20 4 0 10 -1",
            "127.0.0.1:35415", "127.0.0.1:58048", TcpState.CloseWait);
    }

    [Fact, Graded(1, Hint = Read)]
    public void ParseLine_reads_the_IPv6_addresses_of_proc_net_tcp6()
    {
        ExpectEntry("   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 0 1 1",
            "[::1]:8080", "[::]:0", TcpState.Listen);
        ExpectEntry("   1: 0000000000000000FFFF00000100007F:A2C4 0000000000000000FFFF00000100007F:1F90 05 00000000:00000000 00:00000000 00000000  1000 0 2 1",
            "[::ffff:127.0.0.1]:41668", "[::ffff:127.0.0.1]:8080", TcpState.FinWait2);
        ExpectEntry("   2: B80D0120000000000000000001000000:0050 B80D01200000000000000000FECA0000:C350 01 00000000:00000000 00:00000000 00000000  1000 0 3 1",
            "[2001:db8::1]:80", "[2001:db8::cafe]:50000", TcpState.Established);
    }

    [Fact, Graded(1, Hint = Read)]
    public void ParseLine_rejects_what_is_not_an_entry_with_FormatException()
    {
        string[] notEntries =
        [
            "hello",
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            "   0: 0100007F 00000000:0000 0A 00000000:00000000",
            "   0: 0100007F:1F90 00000000:0000 ZZ 00000000:00000000",
            "   0: XYZ0007F:1F90 00000000:0000 0A 00000000:00000000",
        ];
        foreach (var line in notEntries)
        {
            Exception? error = null;
            try
            {
                var entry = ProcNetTcp.ParseLine(line);
                error = new ShouldAssertException($"ProcNetTcp.ParseLine (step 2) of \"{line}\" returned {entry}; expected a FormatException.\n{Read}.");
            }
            catch (FormatException)
            {
            }
            catch (Exception e) when (e is not NotImplementedException)
            {
                error = new ShouldAssertException($"ProcNetTcp.ParseLine (step 2) of \"{line}\" threw {e.GetType().Name} ({e.Message}); expected a FormatException.\n" +
                    "Check each field before you use it (int.TryParse, the number of fields). " + Read + ".", e);
            }
            if (error is not null)
                throw error;
        }
    }

    [Fact, Graded(1, Hint = "Notebook 02 §3: a connection on one machine shows twice, once from each end")]
    public void Find_matches_both_addresses_and_both_ports()
    {
        var client = IPEndPoint.Parse("127.0.0.1:41668");
        var server = IPEndPoint.Parse("127.0.0.1:8080");
        var clientEnd = new TcpTableEntry(client, server, TcpState.FinWait2);
        var serverEnd = new TcpTableEntry(server, client, TcpState.CloseWait);
        TcpTableEntry[] table =
        [
            new(server, IPEndPoint.Parse("0.0.0.0:0"), TcpState.Listen),
            new(server, IPEndPoint.Parse("127.0.0.1:41669"), TcpState.Established),
            new(IPEndPoint.Parse("127.0.0.2:41668"), server, TcpState.TimeWait),
            serverEnd,
            clientEnd,
            new(IPEndPoint.Parse("[::ffff:127.0.0.1]:50000"), IPEndPoint.Parse("[::ffff:127.0.0.1]:8080"), TcpState.SynSent),
        ];

        const string Both = "Match both ends, address and port, local with local and remote with remote. Notebook 02 §3.";
        Check.Equal(TcpTable.Find(table, client, server), clientEnd, $"TcpTable.Find (step 2), local {client}, remote {server}", Both);
        Check.Equal(TcpTable.Find(table, server, client), serverEnd, $"TcpTable.Find (step 2), local {server}, remote {client} (the same connection, from the server's end)", Both);
        Check.Equal(TcpTable.Find(table, IPEndPoint.Parse("127.0.0.1:50000"), server)?.State, TcpState.SynSent, "TcpTable.Find (step 2) of an IPv4-mapped entry",
            "::ffff:127.0.0.1 (how /proc/net/tcp6 shows the IPv4 peer of a dual-mode socket) is 127.0.0.1: MapToIPv4 before comparing. Notebook 02 §3.");
        Check.Equal(TcpTable.Find(table, IPEndPoint.Parse("127.0.0.1:41670"), server), null, "TcpTable.Find (step 2) of a connection that is not there",
            "No entry has local port 41670: Find returns null. Notebook 02 §3.");
    }

    private static void ExpectEntry(string line, string local, string remote, TcpState state)
    {
        var entry = ProcNetTcp.ParseLine(line);
        var expected = new TcpTableEntry(IPEndPoint.Parse(local), IPEndPoint.Parse(remote), state);
        Check.Equal(entry, expected, $"ProcNetTcp.ParseLine (step 2) of \"{line.Trim()[..Math.Min(line.Trim().Length, 60)]}…\"",
            "The port is plain hex; each 8 hex digits of the address are a 32-bit number in the machine's byte order " +
            "(BitConverter.GetBytes gives the address bytes back, in network order). " + Read + ".");
    }
}
