using System.Net;

namespace Lab02.TcpLifecycle;

/// <summary>
/// One TCP segment as the ladder needs it: who sent it to whom, its control
/// bits, its sequence and acknowledgment numbers, and its data (RFC 9293 §3.1).
/// </summary>
/// <param name="Source">The sender's address and port.</param>
/// <param name="Destination">The receiver's address and port.</param>
/// <param name="Flags">The control bits.</param>
/// <param name="SequenceNumber">SEG.SEQ: the number of the first octet of data, or of the SYN or FIN itself.</param>
/// <param name="AcknowledgmentNumber">SEG.ACK: the next sequence number the sender expects from the other side (meaningful with ACK).</param>
/// <param name="Payload">The data the segment carries; often none.</param>
public sealed record TcpSegment(IPEndPoint Source, IPEndPoint Destination, TcpFlags Flags, uint SequenceNumber, uint AcknowledgmentNumber, byte[] Payload)
{
    /// <summary>When it was captured, counted from the first segment of the capture.</summary>
    public TimeSpan Time { get; init; }

    /// <summary>True when every flag of <paramref name="flags"/> is set.</summary>
    public bool Has(TcpFlags flags) => (Flags & flags) == flags;

    /// <summary>
    /// SEG.LEN, "the number of octets occupied by the data in the segment
    /// (counting SYN and FIN)" (RFC 9293 §3.4): the payload's length, plus one for
    /// a SYN, plus one for a FIN. A pure ACK occupies no sequence number at all.
    /// </summary>
    public int SequenceLength
    {
        get
        {
            // BEGIN SOLUTION
            // SYN and FIN take a sequence number each, so that they can be
            // acknowledged (and retransmitted) like data.
            return Payload.Length + (Has(TcpFlags.Syn) ? 1 : 0) + (Has(TcpFlags.Fin) ? 1 : 0);
            // END SOLUTION
            // STARTER: throw new NotImplementedException("Lab 02 · step 5: SEG.LEN = Payload.Length, plus 1 if the segment has SYN, plus 1 if it has FIN (Has(TcpFlags.Syn), Has(TcpFlags.Fin)): a SYN and a FIN each take one sequence number. Notebook 02 §1 and §6, RFC 9293 §3.4.");
        }
    }

    /// <summary>
    /// The sequence number right after this segment: what the receiver acknowledges
    /// once it has it all (SEG.SEQ + SEG.LEN, modulo 2^32).
    /// </summary>
    public uint NextSequenceNumber => unchecked(SequenceNumber + (uint)SequenceLength);

    /// <summary>"127.0.0.1:40000 → 127.0.0.1:5000 SYN+ACK seq=123 ack=456 len=0".</summary>
    public override string ToString() =>
        $"{Source} → {Destination} {Flags.Text()} seq={SequenceNumber} ack={AcknowledgmentNumber} len={Payload.Length}";
}
