using System.Net.Sockets;
using System.Text;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// The half-close (RFC 9293 §3.6.1; notebook 02 §4): a FIN closes one direction
/// only. Each test drives one side with the lab's code and the other with a raw socket.
/// </summary>
public class HalfCloseTests
{
    private const string Read = "Notebook 02 §4; RFC 9293 §3.6 (closing a connection) and §3.6.1 (half-closed connections)";

    [Fact, Graded(2, Hint = Read)]
    public async Task Server_reads_the_end_of_the_stream_and_can_still_send()
    {
        using var pair = await TcpPair.OpenAsync();
        var answering = HalfClose.AnswerAsync(pair.Server, request => Encoding.ASCII.GetBytes($"got {request.Length} bytes: {Encoding.ASCII.GetString(request)}"), 1024);

        // The request in two pieces, apart: the answer must wait for the FIN, not the first receive.
        await pair.Client.SendBytesAsync("hel"u8.ToArray(), Loopback.DefaultBound);
        await Task.Delay(50);
        await StillWaiting(answering, "HalfClose.AnswerAsync (step 3) ended before the client's FIN, after the first 3 bytes of the request.",
            "Read until a receive returns 0 bytes (ReceiveToEndAsync), then answer. " + Read + ".");
        await pair.Client.SendBytesAsync("lo"u8.ToArray(), Loopback.DefaultBound);
        pair.Client.Shutdown(SocketShutdown.Send); // FIN M: the end of the request

        var answer = await pair.Client.ReceiveToEndAsync(1024, Loopback.DefaultBound,
            "the server's answer and then its FIN (a 0-byte read), after our FIN: the server reads 0 bytes, sends its answer, then Shutdown(Send)");
        Check.Equal(Encoding.ASCII.GetString(answer), "got 5 bytes: hello", "What HalfClose.AnswerAsync (step 3) sent back",
            "The server answers the whole request, read up to the client's FIN, on the direction that is still open. " + Read + ".");
        await answering.Within(Loopback.DefaultBound, "AnswerAsync to return once the answer and the FIN are sent");
    }

    [Fact, Graded(2, Hint = Read)]
    public async Task Client_sends_its_FIN_then_still_receives_the_whole_answer()
    {
        using var pair = await TcpPair.OpenAsync();
        var asking = HalfClose.AskAsync(pair.Client, "question"u8.ToArray(), 1024);

        var receiving = pair.Server.ReceiveToEndAsync(1024, Loopback.DefaultBound,
            "the request and then the client's FIN (a 0-byte read on the server): after sending, AskAsync must call Shutdown(SocketShutdown.Send)");
        if (await Task.WhenAny(asking, receiving) == asking && asking.IsFaulted)
            await asking; // AskAsync failed before its FIN: its own exception says why
        var request = await receiving;
        Check.Equal(Encoding.ASCII.GetString(request), "question", "The request HalfClose.AskAsync (step 3) sent before its FIN", "Send all of it, then Shutdown(Send). " + Read + ".");

        // The answer after the client's FIN, in two pieces, then the server's FIN.
        await pair.Server.SendBytesAsync("the answer, "u8.ToArray(), Loopback.DefaultBound);
        await Task.Delay(50);
        await StillWaiting(asking, "HalfClose.AskAsync (step 3) ended before the server's FIN, with only part of the answer in.",
            "After your FIN you can still receive: read until a receive returns 0 (ReceiveToEndAsync). " + Read + ".");
        await pair.Server.SendBytesAsync("in two pieces"u8.ToArray(), Loopback.DefaultBound);
        pair.Server.Shutdown(SocketShutdown.Send); // FIN N

        var answer = await asking.Within(Loopback.DefaultBound, "AskAsync to return the answer once the server's FIN came");
        Check.Equal(Encoding.ASCII.GetString(answer), "the answer, in two pieces", "What HalfClose.AskAsync (step 3) returned",
            "Every byte up to the server's FIN. " + Read + ".");
    }

    [Fact, Graded(1, Hint = Read)]
    public async Task ReceiveToEnd_refuses_more_bytes_than_its_limit()
    {
        using var pair = await TcpPair.OpenAsync();
        await pair.Server.SendBytesAsync(new byte[100], Loopback.DefaultBound);
        pair.Server.Shutdown(SocketShutdown.Send);

        Exception? outcome = null;
        try
        {
            var bytes = await HalfClose.ReceiveToEndAsync(pair.Client, maxBytes: 10).Within(Loopback.DefaultBound, "ReceiveToEndAsync(maxBytes: 10) with 100 bytes coming");
            outcome = new ShouldAssertException($"HalfClose.ReceiveToEndAsync (step 3) with maxBytes 10 returned {bytes.Length} bytes when 100 came; expected an InvalidDataException.\n" +
                $"A peer must not make us buffer without limit. {Read}.");
        }
        catch (InvalidDataException)
        {
        }
        if (outcome is not null)
            throw outcome;
    }

    /// <summary>Fails unless <paramref name="task"/> still runs; if it failed, its own exception comes out (a starter's hint, say).</summary>
    private static async Task StillWaiting(Task task, string what, string why)
    {
        if (task.IsFaulted)
            await task;
        Check.True(!task.IsCompleted, what, why);
    }
}
