using System.Globalization;
using System.Net;
using System.Text;

namespace Lab02.TcpLifecycle;

/// <summary>
/// Draws captured segments as a ladder diagram, the textbook picture of a TCP
/// connection, with every number relative to its side's initial sequence
/// number (notebook 02 §6). Pure: segments in, text out.
/// <code>
///      client 127.0.0.1:55522    server 127.0.0.1:41827
///   1  |--- SYN      seq=J                        ---&gt;|  SYN J
///   2  |&lt;-- SYN+ACK  seq=K    ack=J+1             ----|  SYN K, ACK J+1
///   3  |--- ACK      seq=J+1  ack=K+1             ---&gt;|  ACK K+1
/// </code>
/// </summary>
/// <remarks>
/// J and K are the client's and the server's initial sequence numbers, read from
/// their SYNs; M and N are the numbers their FINs take. The notes column names
/// what the textbook names: each SYN and FIN, and the first ACK that covers it.
/// </remarks>
public static class Ladder
{
    private const string Legend = "J, K: the client's and the server's initial sequence numbers; M, N: the numbers of their FINs.";
    private const int PayloadShown = 24;
    private const int Margin = 5; // "  1  " before each arrow
    private const int Arrow = 11; // "|--- " and " --->|" around each arrow's text

    /// <summary>
    /// The ladder of the first connection in <paramref name="segments"/> (the one opened by the
    /// first SYN); segments of other connections are left out.
    /// </summary>
    /// <param name="segments">Segments in capture order, from before the first SYN.</param>
    /// <param name="showTimes">
    /// End each line with the segment's time, from the first one captured. Times vary from run
    /// to run, so they come last, after a column of fixed width: the rest of the text stays the same.
    /// </param>
    /// <exception cref="ArgumentException">No SYN to start from: the capture began after connect.</exception>
    public static string Format(IReadOnlyList<TcpSegment> segments, bool showTimes = false)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var syn = segments.FirstOrDefault(s => s.Has(TcpFlags.Syn) && !s.Has(TcpFlags.Ack))
            ?? throw new ArgumentException("No SYN among the segments: start the capture before the client connects.", nameof(segments));
        var client = new Side(syn.Source, syn.SequenceNumber, "J", "M");
        var server = new Side(syn.Destination, null, "K", "N");
        var rows = new List<(TcpSegment Segment, bool FromClient, string Flags, string Seq, string Ack, string Notes)>();
        foreach (var segment in segments)
        {
            bool fromClient = segment.Source.Equals(client.EndPoint) && segment.Destination.Equals(server.EndPoint);
            if (!fromClient && !(segment.Source.Equals(server.EndPoint) && segment.Destination.Equals(client.EndPoint)))
                continue;
            var (sender, receiver) = fromClient ? (client, server) : (server, client);
            if (segment.Has(TcpFlags.Syn))
                sender.Isn ??= segment.SequenceNumber;
            string ack = segment.Has(TcpFlags.Ack) ? "ack=" + receiver.Name(segment.AcknowledgmentNumber) : "";
            rows.Add((segment, fromClient, segment.Flags.Text(), "seq=" + sender.Name(segment.SequenceNumber), ack, Notes(segment, sender, receiver)));
        }

        // The arrows are as wide as the widest row, and at least as wide as the header.
        var left = $"client {client.EndPoint}";
        var right = $"server {server.EndPoint}";
        int flagsWidth = rows.Max(r => r.Flags.Length), seqWidth = rows.Max(r => r.Seq.Length);
        int bodyWidth = Math.Max(flagsWidth + 2 + seqWidth + 2 + rows.Max(r => r.Ack.Length), left.Length + right.Length + 4 - Arrow);
        var text = new StringBuilder();
        text.Append(' ', Margin).Append(left).Append(' ', bodyWidth + Arrow - left.Length - right.Length).Append(right).Append('\n');
        int notesWidth = rows.Max(r => r.Notes.Length);
        for (int i = 0; i < rows.Count; i++)
        {
            var (segment, fromClient, flags, seq, ack, notes) = rows[i];
            var body = $"{flags.PadRight(flagsWidth)}  {seq.PadRight(seqWidth)}  {ack}".PadRight(bodyWidth);
            text.Append(CultureInfo.InvariantCulture, $"{i + 1,3}  ");
            text.Append(fromClient ? $"|--- {body} --->|" : $"|<-- {body} ----|");
            if (showTimes)
                text.Append("  ").Append(notes.PadRight(notesWidth)).Append(CultureInfo.InvariantCulture, $"  {segment.Time.TotalMilliseconds:0.000} ms");
            else if (notes.Length > 0)
                text.Append("  ").Append(notes);
            text.Append('\n');
        }
        text.Append(Legend).Append('\n');
        return text.ToString();
    }

    /// <summary>What the textbook writes beside a segment: "SYN K, ACK J+1", "FIN M (M = J+6)", "5 bytes \"hello\"".</summary>
    private static string Notes(TcpSegment segment, Side sender, Side receiver)
    {
        var notes = new List<string>();
        if (segment.Has(TcpFlags.Syn))
            notes.Add($"SYN {sender.IsnName}");
        if (segment.Payload.Length > 0)
            notes.Add($"{segment.Payload.Length} byte{(segment.Payload.Length == 1 ? "" : "s")} {Quoted(segment.Payload)}");
        if (segment.Has(TcpFlags.Fin) && sender.FinEnd is null)
        {
            // The FIN comes after the segment's data (and its SYN, if any): it takes the last number of the segment.
            sender.FinEnd = segment.NextSequenceNumber;
            notes.Add($"FIN {sender.FinName} ({sender.FinName} = {sender.Name(unchecked(segment.NextSequenceNumber - 1))})");
        }
        // The first ACK that covers the other side's SYN or FIN: SEG.ACK is the
        // number right after it, since each of them takes one number (RFC 9293 §3.4).
        if (segment.Has(TcpFlags.Ack) && receiver.Isn is uint isn && !sender.AckedSyn && segment.AcknowledgmentNumber == unchecked(isn + 1))
        {
            sender.AckedSyn = true;
            notes.Add($"ACK {receiver.IsnName}+1");
        }
        if (segment.Has(TcpFlags.Ack) && receiver.FinEnd is uint finEnd && !sender.AckedFin && segment.AcknowledgmentNumber == finEnd)
        {
            sender.AckedFin = true;
            notes.Add($"ACK {receiver.FinName}+1");
        }
        if (segment.Has(TcpFlags.Rst))
            notes.Add("RST: connection reset");
        return string.Join(", ", notes);
    }

    /// <summary>Bytes as text: printable ASCII as it is, ␍ ␊ for CR LF, \xNN for the rest.</summary>
    private static string Quoted(byte[] bytes)
    {
        var text = new StringBuilder("\"");
        foreach (byte b in bytes.Take(PayloadShown))
            text.Append(b switch
            {
                (byte)'\r' => "␍",
                (byte)'\n' => "␊",
                (byte)'\\' => @"\\",
                >= 0x20 and < 0x7f => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        return text.Append(bytes.Length > PayloadShown ? "…\"" : "\"").ToString();
    }

    /// <summary>One end of the connection, and what the ladder has seen of it so far.</summary>
    private sealed class Side(IPEndPoint endPoint, uint? isn, string isnName, string finName)
    {
        public IPEndPoint EndPoint { get; } = endPoint;
        public uint? Isn { get; set; } = isn;
        public string IsnName { get; } = isnName;
        public string FinName { get; } = finName;
        public uint? FinEnd { get; set; }
        public bool AckedSyn { get; set; }
        public bool AckedFin { get; set; }

        /// <summary>"J+6"; a raw number while this side's ISN is unknown (a RST from a port that never sent SYN).</summary>
        public string Name(uint number) => Isn is uint initial
            ? SequenceSpace.Relative(number, initial, IsnName)
            : number.ToString(CultureInfo.InvariantCulture);
    }
}
