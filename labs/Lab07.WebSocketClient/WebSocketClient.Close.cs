namespace Lab07.WebSocketClient;

/// <summary>Closing: the browser's Close, which never waits, and CloseAsync, which waits for the end.</summary>
public sealed partial class WebSocketClient
{
    /// <summary>
    /// <c>close(code, reason)</c>: starts the closing handshake and returns at
    /// once; <see cref="OnClose"/> follows when the server has answered and
    /// closed TCP (or the close timeout ran out). With no code and no reason
    /// the close frame is empty. While CONNECTING it fails the connection
    /// (error, then close 1006); once CLOSING or CLOSED it does nothing.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">InvalidAccessError: a code other than 1000 or 3000-4999.</exception>
    /// <exception cref="ArgumentException">SyntaxError: a reason over 123 UTF-8 bytes.</exception>
    public void Close(int? code = null, string? reason = null)
    {
        var status = BrowserRules.CloseStatusFor(code, reason); // step 2: throws before anything changes
        throw new NotImplementedException("Lab 07 · step 6: under lock (gate): if phase is Connecting, set it to Closing, note whether Connect was never called (running is null) and then set running ??= Task.CompletedTask (no Connect after a close); outside the lock connecting.Cancel() (the browser fails a connection closed before it opens; RunAsync then reports it), and if Connect was never called, NeverOpened(new OperationCanceledException(...)) reports it instead; return. If phase is Open: inbox?.StopWaiting() (the pump must read on to the server's close even if nobody reads messages), then _ = connection.CloseAsync(status) (Lab 06: it does nothing when a close already went). Closing or Closed: nothing. Notebook 07 §4, RFC 6455 §7.1.2.");
    }

    /// <summary>
    /// Closes with <paramref name="code"/> and <paramref name="reason"/> and
    /// waits for the end: the server's close and its TCP FIN, or the close
    /// timeout. Returns the close event.
    /// </summary>
    public async Task<CloseEvent> CloseAsync(int code = (int)CloseCode.NormalClosure, string reason = "", CancellationToken cancellation = default)
    {
        ThrowIfInHandler(nameof(CloseAsync));
        Close(code, reason);
        return await Completion.WaitAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Closes with 1000 if the connection is open (cancels it if it is connecting) and waits for the end.</summary>
    public async ValueTask DisposeAsync()
    {
        ThrowIfInHandler(nameof(DisposeAsync));
        Close((int)CloseCode.NormalClosure);
        Task? run;
        lock (gate)
            run = running;
        if (run is not null)
            await run.ConfigureAwait(false); // bounded: the connect timeout, or the pump's close timeout
        connecting.Dispose();
    }
}
