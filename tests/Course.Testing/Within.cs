namespace Course.Testing;

/// <summary>
/// Bounded waits: <c>await task.Within(5.Seconds(), "the echo of 'hello'")</c>.
/// </summary>
/// <remarks>
/// A test that waits on the network without a bound can hang a whole test run
/// (and a learner's patience). Every such wait goes through <c>Within</c>, so a
/// wait that never ends becomes a <see cref="TimeoutException"/> whose message
/// says what was awaited and for how long:
/// <c>Timed out after 5 s waiting for the echo of 'hello'.</c>
/// <para>
/// If the task ends in time, its own result or exception comes out unchanged.
/// If it does not, the task keeps running (a <see cref="Task"/> cannot be
/// stopped from outside); its later failure is observed here so it never
/// surfaces as an unobserved task exception. Cancel the operation yourself
/// (dispose its socket, cancel its token) when the timeout matters, or use
/// <see cref="Bounded.RunAsync{T}"/>, which cancels for you.
/// </para>
/// </remarks>
public static class WithinExtensions
{
    /// <summary>Awaits <paramref name="task"/> for at most <paramref name="bound"/>.</summary>
    /// <param name="task">The operation being awaited.</param>
    /// <param name="bound">How long to wait.</param>
    /// <param name="what">What is awaited, as it reads after "waiting for": "the echo of 'hello'".</param>
    /// <param name="context">Optional: more lines for the timeout message (a server's log, say), computed only on timeout.</param>
    /// <exception cref="TimeoutException">The task did not finish within the bound.</exception>
    public static async Task Within(this Task task, TimeSpan bound, string what, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        await WaitOrThrowAsync(task, bound, what, context).ConfigureAwait(false);
        await task.ConfigureAwait(false);
    }

    /// <inheritdoc cref="Within(Task, TimeSpan, string, Func{string}?)"/>
    /// <returns>The task's result.</returns>
    public static async Task<T> Within<T>(this Task<T> task, TimeSpan bound, string what, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        await WaitOrThrowAsync(task, bound, what, context).ConfigureAwait(false);
        return await task.ConfigureAwait(false);
    }

    /// <inheritdoc cref="Within(Task, TimeSpan, string, Func{string}?)"/>
    public static Task Within(this ValueTask task, TimeSpan bound, string what, Func<string>? context = null)
        => task.AsTask().Within(bound, what, context);

    /// <inheritdoc cref="Within{T}(Task{T}, TimeSpan, string, Func{string}?)"/>
    public static Task<T> Within<T>(this ValueTask<T> task, TimeSpan bound, string what, Func<string>? context = null)
        => task.AsTask().Within(bound, what, context);

    /// <summary>
    /// The message of every bounded wait in the course:
    /// "Timed out after 5 s waiting for the echo of 'hello'.", then the context lines, if any.
    /// </summary>
    public static string TimeoutMessage(TimeSpan bound, string what, Func<string>? context = null)
    {
        var message = $"Timed out after {Durations.Describe(bound)} waiting for {what}.";
        var more = context?.Invoke();
        return string.IsNullOrWhiteSpace(more) ? message : message + Environment.NewLine + more;
    }

    private static async Task WaitOrThrowAsync(Task task, TimeSpan bound, string what, Func<string>? context)
    {
        if (task.IsCompleted)
            return;

        // Task.WhenAny with a cancellable delay rather than Task.WaitAsync: a
        // TimeoutException thrown by the awaited operation itself must come out
        // as it is, not be mistaken for our own timeout.
        using var timer = new CancellationTokenSource();
        var delay = Task.Delay(bound, timer.Token);
        if (await Task.WhenAny(task, delay).ConfigureAwait(false) == task)
        {
            timer.Cancel();
            return;
        }

        ObserveLater(task);
        throw new TimeoutException(TimeoutMessage(bound, what, context));
    }

    /// <summary>
    /// Marks a task we stop waiting for as observed, so that its failure, when
    /// it comes, is not reported as an unobserved task exception.
    /// </summary>
    internal static void ObserveLater(Task task) =>
        _ = task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
