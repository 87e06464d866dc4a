namespace Course.Notebooks;

/// <summary>
/// One cell while it runs: started on a thread of its own (so a cell that
/// blocks, say in Thread.Sleep or a synchronous loop, never blocks the
/// caller), with a cancellation the cell can watch, and a way to interrupt it.
/// .NET cannot abort a thread; an interrupt is cooperative (CellCancellation),
/// plus Thread.Interrupt for a cell blocked in a wait, and the engine abandons
/// a cell that does not stop.
/// </summary>
internal sealed class RunningCell
{
    private readonly TaskCompletionSource _interrupted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Thread? _thread;
    private volatile bool _synchronousPartDone;

    // Never disposed: an abandoned cell, or a server a cell started, may still hold its token.
    public CancellationTokenSource Cancellation { get; } = new();

    /// <summary>Completes when the cell is asked to stop.</summary>
    public Task Interrupted => _interrupted.Task;

    /// <summary>Why the cell was asked to stop; null while it was not.</summary>
    public string? Reason { get; private set; }

    /// <summary>Starts the cell's code on its own thread; the task is the cell's whole run, awaits included.</summary>
    public Task<T> Start<T>(Func<Task<T>> start)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() =>
        {
            try
            {
                started.SetResult(start());
            }
            catch (ThreadInterruptedException e) when (Reason is not null)
            {
                started.SetException(new OperationCanceledException("The cell was interrupted while it was blocked.", e));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
            finally
            {
                _synchronousPartDone = true;
            }
        })
        {
            IsBackground = true, // an abandoned cell never keeps the process alive
            Name = "notebook cell",
        };
        _thread.Start();
        return started.Task.Unwrap();
    }

    /// <summary>Asks the cell to stop; false when it was already asked.</summary>
    public bool Interrupt(string reason)
    {
        lock (_interrupted)
        {
            if (Reason is not null)
                return false;
            Reason = reason;
        }
        // The cell's own cancellation callbacks run on the thread pool, never on the
        // caller's thread: a callback that blocks must not block the kernel's sockets.
        _ = Task.Run(() =>
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (AggregateException)
            {
                // A callback the cell registered threw; the cell is being stopped anyway.
            }
        });
        if (!_synchronousPartDone)
            _thread?.Interrupt(); // wakes Thread.Sleep, Monitor.Wait, Task.Wait: the cell sees ThreadInterruptedException
        _interrupted.TrySetResult();
        return true;
    }
}
