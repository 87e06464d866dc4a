using System.Net;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// Sequence-number arithmetic and the ladder, with recorded segments alone
/// (notebook 02 §6; RFC 9293 §3.4, sequence numbers).
/// </summary>
public class LadderTests
{
    private const string Read = "Notebook 02 §1 and §6; RFC 9293 §3.4 (sequence numbers)";

    [Fact, Graded(1, Hint = Read)]
    public void Offset_counts_from_the_initial_number_modulo_2_to_the_32()
    {
        (uint Number, uint Initial, uint Offset)[] cases =
        [
            (1000, 1000, 0), (1006, 1000, 6), (5, 4294967290, 11), (0, uint.MaxValue, 1), (4294967295, 0, 4294967295),
        ];
        foreach (var (number, initial, offset) in cases)
            Check.Equal(SequenceSpace.Offset(number, initial), offset, $"SequenceSpace.Offset({number}, {initial}) (step 5)",
                "Sequence numbers count modulo 2^32: after 4294967295 comes 0. " + Read + ".");
    }

    [Fact, Graded(1, Hint = Read)]
    public void SYN_and_FIN_each_take_one_sequence_number()
    {
        var a = IPEndPoint.Parse("127.0.0.1:40000");
        var b = IPEndPoint.Parse("127.0.0.1:5000");
        (TcpFlags Flags, int Bytes, int Length)[] cases =
        [
            (TcpFlags.Syn, 0, 1), (TcpFlags.Syn | TcpFlags.Ack, 0, 1), (TcpFlags.Ack, 0, 0), (TcpFlags.Psh | TcpFlags.Ack, 5, 5),
            (TcpFlags.Fin | TcpFlags.Ack, 0, 1), (TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Ack, 3, 4), (TcpFlags.Rst | TcpFlags.Ack, 0, 0),
        ];
        foreach (var (flags, bytes, length) in cases)
        {
            var segment = new TcpSegment(a, b, flags, 1000, 0, new byte[bytes]);
            Check.Equal(segment.SequenceLength, length, $"TcpSegment.SequenceLength (step 5) of a {flags.Text()} segment with {bytes} data bytes",
                "SEG.LEN is the data, plus 1 for a SYN, plus 1 for a FIN; an ACK or a RST takes none. " + Read + ".");
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public void Ladder_of_a_recorded_four_segment_close_matches_the_snapshot() =>
        Ladder.Format(Recorded.FourSegmentClose).ShouldMatchSnapshot(RecordedPorts);

    [Fact, Graded(1, Hint = Read)]
    public void Ladder_of_a_recorded_merged_close_matches_the_snapshot() =>
        Ladder.Format(Recorded.MergedClose).ShouldMatchSnapshot(RecordedPorts);

    private static Func<string, string> RecordedPorts { get; } =
        Scrub.ClientServerPorts(Recorded.Client.Port, Recorded.Server.Port);
}
