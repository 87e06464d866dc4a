namespace Lab02.TcpLifecycle;

/// <summary>
/// The control bits of the TCP header (RFC 9293 §3.1), with their bit values
/// in the header's flags byte.
/// </summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,

    /// <summary>"No more data from sender": this direction is closed. Takes one sequence number.</summary>
    Fin = 0x01,

    /// <summary>"Synchronize sequence numbers": the first segment of each direction; carries the ISN. Takes one sequence number.</summary>
    Syn = 0x02,

    /// <summary>"Reset the connection": abort, or "no such connection here".</summary>
    Rst = 0x04,

    /// <summary>"Push function": deliver to the application now; Linux sets it on the last segment of a send.</summary>
    Psh = 0x08,

    /// <summary>"Acknowledgment field is significant": set on every segment after the first SYN.</summary>
    Ack = 0x10,

    /// <summary>"Urgent pointer field is significant" (obsolete in practice, RFC 9293 §3.8.5).</summary>
    Urg = 0x20,

    /// <summary>ECN-Echo (RFC 3168).</summary>
    Ece = 0x40,

    /// <summary>Congestion Window Reduced (RFC 3168).</summary>
    Cwr = 0x80,
}

/// <summary>How the ladder and the notebook write flags.</summary>
public static class TcpFlagsText
{
    // The order people say them in: "SYN+ACK", "FIN+ACK", "PSH+ACK", "RST+ACK".
    private static readonly (TcpFlags Flag, string Name)[] Order =
    [
        (TcpFlags.Syn, "SYN"), (TcpFlags.Fin, "FIN"), (TcpFlags.Rst, "RST"), (TcpFlags.Psh, "PSH"),
        (TcpFlags.Ack, "ACK"), (TcpFlags.Urg, "URG"), (TcpFlags.Ece, "ECE"), (TcpFlags.Cwr, "CWR"),
    ];

    /// <summary><c>Syn | Ack</c> → "SYN+ACK"; no flag → "(none)".</summary>
    public static string Text(this TcpFlags flags)
    {
        var names = Order.Where(f => flags.HasFlag(f.Flag)).Select(f => f.Name).ToList();
        return names.Count == 0 ? "(none)" : string.Join('+', names);
    }
}
