using System.Net.Sockets;

namespace Lab02.TcpLifecycle;

/// <summary>
/// The half-close as a protocol (RFC 9293 §3.6; notebook 02 §4): the client
/// sends its request and then its FIN, which says "that was all"; the server
/// reads to the end of the stream (a receive of 0 bytes), and only then
/// answers, on the direction that is still open, and closes it in turn.
/// <code>
/// client                                   server
/// send(request)        ── data ─────────▶  receive … receive = 0 (end of stream)
/// Shutdown(Send)       ── FIN M ────────▶  CLOSE_WAIT: can still send
///  FIN_WAIT_2          ◀─ ACK M+1 ──────
/// receive …            ◀─ data ─────────   send(answer)
/// receive = 0          ◀─ FIN N ────────   Shutdown(Send)   LAST_ACK
///  TIME_WAIT           ── ACK N+1 ──────▶  CLOSED
/// </code>
/// </summary>
public static class HalfClose
{
    /// <summary>
    /// Receives until the peer's FIN (a receive that returns 0) and returns every
    /// byte that came before it.
    /// </summary>
    /// <exception cref="InvalidDataException">More than <paramref name="maxBytes"/> bytes came: a peer must not make us buffer without limit.</exception>
    public static async Task<byte[]> ReceiveToEndAsync(Socket socket, int maxBytes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        throw new NotImplementedException("Lab 02 · step 3: loop: int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct); n == 0 is the peer's FIN: return received.ToArray(); else write the n bytes to received, and throw InvalidDataException once more than maxBytes have come. Notebook 02 §4, RFC 9293 §3.6.");
    }

    /// <summary>
    /// The client's side: sends <paramref name="request"/>, then its FIN
    /// (Shutdown(Send)) to mark the end of the request, then receives the whole
    /// answer, up to the server's FIN. The socket stays open (in FIN_WAIT_2, then
    /// TIME_WAIT): the caller disposes of it.
    /// </summary>
    public static async Task<byte[]> AskAsync(Socket client, ReadOnlyMemory<byte> request, int maxAnswerBytes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        throw new NotImplementedException("Lab 02 · step 3: send all of request (loop on SendAsync), then client.Shutdown(SocketShutdown.Send): your FIN ends the request, yet you can still receive; then return await ReceiveToEndAsync(client, maxAnswerBytes, ct). Do not Dispose the socket before the answer is in. Notebook 02 §4, RFC 9293 §3.6.");
    }

    /// <summary>
    /// The server's side: reads the whole request (up to the client's FIN), then
    /// sends <paramref name="answer"/>(request) on the direction still open, then
    /// its own FIN (Shutdown(Send)). The caller disposes of the socket.
    /// </summary>
    public static async Task AnswerAsync(Socket server, Func<byte[], byte[]> answer, int maxRequestBytes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(answer);
        throw new NotImplementedException("Lab 02 · step 3: var request = await ReceiveToEndAsync(server, maxRequestBytes, ct) (it returns at the client's FIN); send all of answer(request) (loop on SendAsync): after reading 0 bytes you can still send; then server.Shutdown(SocketShutdown.Send) for your own FIN. Notebook 02 §4, RFC 9293 §3.6.");
    }
}
