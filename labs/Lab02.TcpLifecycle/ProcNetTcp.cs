using System.Globalization;
using System.Net;

namespace Lab02.TcpLifecycle;

/// <summary>
/// Reads Linux's /proc/net/tcp and /proc/net/tcp6, the kernel's table of TCP
/// sockets, as text (Sans-I/O: text in, entries out; <see cref="TcpTable"/> reads the files).
/// </summary>
/// <remarks>
/// <para>A line of /proc/net/tcp (see proc(5)):</para>
/// <code>
///   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
///    3: 0100007F:1F90 0100007F:A2C4 01 00000000:00000000 00:00000000 00000000  1000        0 51234 ...
/// </code>
/// <para>Each endpoint is ADDRESS:PORT in hexadecimal. The port is a plain number
/// (1F90 = 8080). The address is not: the kernel prints the 4 bytes of the
/// IPv4 address, as they lie in memory (network order: 127, 0, 0, 1), as one
/// 32-bit number of the machine's own byte order, so on a little-endian
/// machine (x86, ARM) 127.0.0.1 reads 0100007F, backwards. /proc/net/tcp6
/// prints the 16 bytes of an IPv6 address as four such 32-bit numbers.</para>
/// <para>"st" is the state, numbered as in <see cref="TcpState"/> (01 ESTABLISHED, 06 TIME_WAIT, 0A LISTEN).</para>
/// </remarks>
public static class ProcNetTcp
{
    /// <summary>Every entry of a whole /proc/net/tcp or /proc/net/tcp6 file: the header line and blank lines are skipped.</summary>
    /// <exception cref="FormatException">A line is not an entry of that table.</exception>
    public static IReadOnlyList<TcpTableEntry> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var entries = new List<TcpTableEntry>();
        foreach (var line in text.Split('\n').Skip(1))
        {
            if (!string.IsNullOrWhiteSpace(line))
                entries.Add(ParseLine(line));
        }
        return entries;
    }

    /// <summary>
    /// One entry: <c>"   3: 0100007F:1F90 0100007F:A2C4 01 ..."</c> is
    /// 127.0.0.1:8080 → 127.0.0.1:41668, <see cref="TcpState.Established"/>.
    /// </summary>
    /// <exception cref="FormatException">Not an entry: the message quotes the line.</exception>
    public static TcpTableEntry ParseLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        throw new NotImplementedException("Lab 02 · step 2: split the line on spaces (StringSplitOptions.RemoveEmptyEntries): fields[1] is the local endpoint, fields[2] the remote one (ParseEndPoint), fields[3] the state in hex (int.Parse(..., NumberStyles.AllowHexSpecifier), cast to TcpState); throw FormatException for anything else. Notebook 02 §3, RFC 9293 §3.3.2.");
    }

    /// <summary>
    /// <c>"0100007F:1F90"</c> → 127.0.0.1:8080 (on a little-endian machine);
    /// <c>"00000000000000000000000001000000:0050"</c> → [::1]:80.
    /// </summary>
    /// <exception cref="FormatException">Not ADDRESS:PORT with 8 or 32 hex digits of address and 4 of port.</exception>
    public static IPEndPoint ParseEndPoint(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        throw new NotImplementedException("Lab 02 · step 2: split at ':'; the port is plain hex (int.Parse(..., NumberStyles.AllowHexSpecifier)); the address is 8 hex digits (IPv4) or 32 (IPv6), each group of 8 a uint in the MACHINE's byte order: BitConverter.GetBytes(uint.Parse(group, NumberStyles.AllowHexSpecifier)) gives its 4 bytes in network order, so 0100007F is 127.0.0.1. Notebook 02 §3, proc(5).");
    }
}
