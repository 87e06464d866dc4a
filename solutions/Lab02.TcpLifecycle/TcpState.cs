namespace Lab02.TcpLifecycle;

/// <summary>
/// The states of a TCP connection (RFC 9293 §3.3.2), numbered as Linux numbers
/// them in /proc/net/tcp's "st" column (include/net/tcp_states.h): the state
/// "06" there is <see cref="TimeWait"/>.
/// </summary>
public enum TcpState
{
    /// <summary>Not a state Linux prints: no entry at all. RFC 9293 §3.3.2: CLOSED "represents no connection state at all".</summary>
    Closed = 0,

    /// <summary>Data flows both ways: the handshake is over (01).</summary>
    Established = 1,

    /// <summary>The client sent SYN and waits for SYN+ACK: connect() has not returned yet (02).</summary>
    SynSent = 2,

    /// <summary>The server got SYN and sent SYN+ACK; it waits for the final ACK (03).</summary>
    SynReceived = 3,

    /// <summary>We sent FIN (close or shutdown) and wait for its ACK (04).</summary>
    FinWait1 = 4,

    /// <summary>Our FIN is acknowledged; we wait for the peer's FIN, and may still receive (05).</summary>
    FinWait2 = 5,

    /// <summary>Both FINs are sent and acknowledged; the active closer waits 2×MSL before forgetting the connection (06).</summary>
    TimeWait = 6,

    /// <summary>Linux's TCP_CLOSE: a socket that is bound but neither connected nor listening (07).</summary>
    Close = 7,

    /// <summary>The peer's FIN has come (we read 0 bytes); we may still send, and must close some day (08).</summary>
    CloseWait = 8,

    /// <summary>We closed after the peer did; we wait for the ACK of our FIN (09).</summary>
    LastAck = 9,

    /// <summary>A listening socket (0A).</summary>
    Listen = 10,

    /// <summary>Both sides sent FIN at the same time; we wait for the ACK of ours (0B).</summary>
    Closing = 11,

    /// <summary>Linux's half-open request, SYN_RECEIVED kept in the listener's queue rather than in a socket (0C).</summary>
    NewSynReceived = 12,
}

/// <summary>The names RFC 9293 and netstat use: <c>FIN_WAIT_2</c>, <c>TIME_WAIT</c>.</summary>
public static class TcpStateNames
{
    /// <summary><see cref="TcpState.FinWait2"/> → "FIN_WAIT_2".</summary>
    public static string Name(this TcpState state) => state switch
    {
        TcpState.Closed => "CLOSED",
        TcpState.Established => "ESTABLISHED",
        TcpState.SynSent => "SYN_SENT",
        TcpState.SynReceived => "SYN_RECEIVED",
        TcpState.FinWait1 => "FIN_WAIT_1",
        TcpState.FinWait2 => "FIN_WAIT_2",
        TcpState.TimeWait => "TIME_WAIT",
        TcpState.Close => "CLOSE",
        TcpState.CloseWait => "CLOSE_WAIT",
        TcpState.LastAck => "LAST_ACK",
        TcpState.Listen => "LISTEN",
        TcpState.Closing => "CLOSING",
        TcpState.NewSynReceived => "NEW_SYN_RECV",
        _ => $"state 0x{(int)state:X2}",
    };
}
