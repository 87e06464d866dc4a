using System.Net.Sockets;

namespace Lab02.TcpLifecycle;

/// <summary>
/// The abortive close (RFC 9293 §3.10.5, the ABORT call; notebook 02 §5): one
/// RST instead of the FIN exchange. The peer's next receive fails with
/// "connection reset", unsent and unread bytes are thrown away, and neither
/// side goes through TIME_WAIT.
/// </summary>
public static class AbortiveClose
{
    /// <summary>Closes <paramref name="socket"/> with RST: SO_LINGER on with a timeout of 0 s, then close.</summary>
    public static void Reset(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        // BEGIN SOLUTION
        // socket(7), SO_LINGER: "if the linger timeout is zero, close(2) ... the
        // connection is reset": the kernel sends RST and forgets the connection,
        // with no FIN_WAIT and no TIME_WAIT.
        socket.LingerState = new LingerOption(enable: true, seconds: 0);
        socket.Close();
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 02 · step 4: socket.LingerState = new LingerOption(true, 0) (linger on, 0 s), then socket.Close(): close(2) then sends RST instead of FIN. Notebook 02 §5, RFC 9293 §3.10.5 (ABORT).");
    }
}
