namespace Course.Testing;

/// <summary>
/// Polls a condition until it holds, within a bound: for state that changes on
/// another thread with no event to await (a connection counter dropping back to 0).
/// </summary>
public static class Eventually
{
    /// <summary>How often the condition is checked.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Returns as soon as <paramref name="condition"/> is true; throws a <see cref="TimeoutException"/>
    /// naming <paramref name="what"/> (plus <paramref name="context"/>, e.g. "it is still 3") if it is not within the bound.
    /// </summary>
    public static async Task TrueAsync(Func<bool> condition, TimeSpan bound, string what, Func<string>? context = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + bound;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException(WithinExtensions.TimeoutMessage(bound, what, context));
            await Task.Delay(PollInterval).ConfigureAwait(false);
        }
    }
}
