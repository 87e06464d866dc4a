using System.Net;
using System.Text;
using static Lab02.TcpLifecycle.TcpFlags;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// Connections as LoopbackCapture records them (the segments of real captures
/// on lo), with initial sequence numbers picked near 2^32 so that the client's
/// numbers wrap around to 0 in the middle of the connection.
/// </summary>
internal static class Recorded
{
    public static readonly IPEndPoint Client = IPEndPoint.Parse("127.0.0.1:55522");
    public static readonly IPEndPoint Server = IPEndPoint.Parse("127.0.0.1:41827");
    private const uint ClientIsn = 4294967291; // 2^32 - 5: "hello" ends past 2^32
    private const uint ServerIsn = 1844674407;

    /// <summary>"hello", then FIN M, ACK M+1 alone, "bye" from the half-closed server, FIN N, ACK N+1.</summary>
    public static TcpSegment[] FourSegmentClose =>
    [
        C(Syn, 0, 0), S(Syn | Ack, 0, 1), C(Ack, 1, 1), C(Psh | Ack, 1, 1, "hello"), S(Ack, 1, 6),
        C(Fin | Ack, 6, 1), S(Ack, 1, 7), S(Psh | Ack, 1, 7, "bye"), C(Ack, 7, 4), S(Fin | Ack, 4, 7), C(Ack, 7, 5),
    ];

    /// <summary>"hello", then FIN M; the server closes at once, so FIN N carries ACK M+1; ACK N+1.</summary>
    public static TcpSegment[] MergedClose =>
    [
        C(Syn, 0, 0), S(Syn | Ack, 0, 1), C(Ack, 1, 1), C(Psh | Ack, 1, 1, "hello"), S(Ack, 1, 6),
        C(Fin | Ack, 6, 1), S(Fin | Ack, 1, 7), C(Ack, 7, 2),
    ];

    /// <summary>A segment from the client: seq = J + <paramref name="seq"/>, ack = K + <paramref name="ack"/> (0 without ACK).</summary>
    private static TcpSegment C(TcpFlags flags, uint seq, uint ack, string data = "") =>
        new(Client, Server, flags, unchecked(ClientIsn + seq), flags.HasFlag(Ack) ? unchecked(ServerIsn + ack) : 0, Encoding.ASCII.GetBytes(data));

    /// <summary>A segment from the server: seq = K + <paramref name="seq"/>, ack = J + <paramref name="ack"/>.</summary>
    private static TcpSegment S(TcpFlags flags, uint seq, uint ack, string data = "") =>
        new(Server, Client, flags, unchecked(ServerIsn + seq), unchecked(ClientIsn + ack), Encoding.ASCII.GetBytes(data));
}
