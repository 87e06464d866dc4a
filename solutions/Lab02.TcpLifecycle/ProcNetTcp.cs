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
        // BEGIN SOLUTION
        // Fields: "3:", local, remote, state, then counters we do not need.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4 || !fields[0].EndsWith(':'))
            throw new FormatException($"Not a line of /proc/net/tcp: \"{line.Trim()}\" (expected \"sl: local_address rem_address st ...\").");
        if (!int.TryParse(fields[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int state))
            throw new FormatException($"The state \"{fields[3]}\" is not a hexadecimal number, in \"{line.Trim()}\".");
        return new TcpTableEntry(ParseEndPoint(fields[1]), ParseEndPoint(fields[2]), (TcpState)state);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 02 · step 2: split the line on spaces (StringSplitOptions.RemoveEmptyEntries): fields[1] is the local endpoint, fields[2] the remote one (ParseEndPoint), fields[3] the state in hex (int.Parse(..., NumberStyles.AllowHexSpecifier), cast to TcpState); throw FormatException for anything else. Notebook 02 §3, RFC 9293 §3.3.2.");
    }

    /// <summary>
    /// <c>"0100007F:1F90"</c> → 127.0.0.1:8080 (on a little-endian machine);
    /// <c>"00000000000000000000000001000000:0050"</c> → [::1]:80.
    /// </summary>
    /// <exception cref="FormatException">Not ADDRESS:PORT with 8 or 32 hex digits of address and 4 of port.</exception>
    public static IPEndPoint ParseEndPoint(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        // BEGIN SOLUTION
        var parts = hex.Split(':');
        if (parts.Length != 2 || parts[0].Length is not (8 or 32) || parts[1].Length != 4
            || !int.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int port))
            throw new FormatException($"Not an endpoint of /proc/net/tcp: \"{hex}\" (expected 8 or 32 hex digits, ':', 4 hex digits).");

        // Each group of 8 hex digits is a 32-bit number in the machine's byte
        // order; BitConverter.GetBytes lays it out in that same order, which gives
        // back the bytes as the kernel holds them: network order.
        var address = new byte[parts[0].Length / 2];
        for (int group = 0; group < address.Length / 4; group++)
        {
            if (!uint.TryParse(parts[0].AsSpan(group * 8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint word))
                throw new FormatException($"Not a hexadecimal address: \"{parts[0]}\" in \"{hex}\".");
            BitConverter.GetBytes(word).CopyTo(address, group * 4);
        }
        return new IPEndPoint(new IPAddress(address), port);
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 02 · step 2: split at ':'; the port is plain hex (int.Parse(..., NumberStyles.AllowHexSpecifier)); the address is 8 hex digits (IPv4) or 32 (IPv6), each group of 8 a uint in the MACHINE's byte order: BitConverter.GetBytes(uint.Parse(group, NumberStyles.AllowHexSpecifier)) gives its 4 bytes in network order, so 0100007F is 127.0.0.1. Notebook 02 §3, proc(5).");
    }
}
