namespace Course.Testing;

/// <summary>
/// Runs a cancellable operation with a deadline, and cancels it when the
/// deadline passes: <c>await Bounded.RunAsync(5.Seconds(), "the server's FIN", ct => socket.ReceiveAsync(buffer, ct).AsTask())</c>.
/// </summary>
/// <remarks>
/// Unlike <see cref="WithinExtensions.Within(Task, TimeSpan, string, Func{string}?)"/>,
/// which only stops waiting, this also stops the work: the token passed to the
/// operation is cancelled at the bound, so a socket receive that would have
/// waited forever ends too. Either way the caller gets one
/// <see cref="TimeoutException"/> naming what was awaited.
/// </remarks>
public static class Bounded
{
    /// <summary>Runs <paramref name="operation"/> with a token that is cancelled after <paramref name="bound"/>.</summary>
    /// <exception cref="TimeoutException">The bound passed first.</exception>
    public static async Task<T> RunAsync<T>(TimeSpan bound, string what, Func<CancellationToken, Task<T>> operation, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            // Within as well as the token: an operation that ignores its token
            // still cannot hold the test for longer than the bound (plus a grace).
            return await operation(deadline.Token).Within(bound + TimeSpan.FromSeconds(1), what, context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException(WithinExtensions.TimeoutMessage(bound, what, context));
        }
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public static Task RunAsync(TimeSpan bound, string what, Func<CancellationToken, Task> operation, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return RunAsync(bound, what, async ct => { await operation(ct).ConfigureAwait(false); return true; }, context);
    }
}
