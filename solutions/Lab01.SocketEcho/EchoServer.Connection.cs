using System.Net.Sockets;

namespace Lab01.SocketEcho;

/// <summary>One connection: echo until the client's FIN, then close our side.</summary>
public sealed partial class EchoServer
{
    /// <summary>Size of each connection's receive buffer: any size works, TCP does not keep message boundaries.</summary>
    private const int BufferSize = 16 * 1024;

    private int _connectionCount;

    /// <summary>
    /// Serves one client from accept to close, and logs what happens. Never
    /// throws: a client that misbehaves (or resets) ends its own connection only.
    /// </summary>
    private async Task ServeClientAsync(Socket client, CancellationToken stopping)
    {
        string peer = client.PeerName();
        Interlocked.Increment(ref _connectionCount);
        Emit($"accepted {peer}");
        try
        {
            long echoed = await EchoUntilEndAsync(client, stopping).ConfigureAwait(false);
            Emit($"{peer} closed its side (0-byte read) after {echoed} bytes");

            // RFC 9293 §3.6: each direction closes on its own. The client's FIN
            // closed its direction; shutdown(SHUT_WR) sends our FIN after every
            // byte we queued, so the client reads the whole echo, then 0 bytes.
            client.Shutdown(SocketShutdown.Send);
            Emit($"{peer}: shutdown(Send), FIN sent");
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            Emit($"{peer}: closed by StopAsync");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset
            or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            // An abortive close (RST): the client is gone, and with it whatever we
            // had not yet sent. Nothing to answer; forget it.
            Emit($"{peer} reset the connection ({e.SocketErrorCode})");
        }
        catch (Exception e)
        {
            Emit($"{peer}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            // close(2): frees the socket. After Shutdown(Send) this sends nothing
            // more; after a reset it only cleans up.
            client.Dispose();
            Interlocked.Decrement(ref _connectionCount);
            Emit($"{peer} closed");
        }
    }

    /// <summary>
    /// Receives and sends back every byte until the client's end of stream, and
    /// returns how many bytes were echoed.
    /// </summary>
    /// <remarks>
    /// A receive returns whatever bytes have arrived, from 1 up to the buffer
    /// size, with no regard for how the client wrote them; a receive of 0 bytes
    /// means the client sent FIN: it will send nothing more (RFC 9293 §3.6).
    /// </remarks>
    private static async Task<long> EchoUntilEndAsync(Socket client, CancellationToken stopping)
    {
        var buffer = new byte[BufferSize];
        long echoed = 0;
        // BEGIN SOLUTION
        while (true)
        {
            int received = await client.ReceiveAsync(buffer, SocketFlags.None, stopping).ConfigureAwait(false);
            if (received == 0)
                return echoed;
            await client.SendAllAsync(buffer.AsMemory(0, received), stopping).ConfigureAwait(false);
            echoed += received;
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 01 · step 3: loop: int n = await client.ReceiveAsync(buffer, SocketFlags.None, stopping); n == 0 is the client's FIN: return echoed; else send back exactly buffer[..n] with SendAllAsync and add n to echoed. Notebook 01 §3 and §5.");
    }
}
