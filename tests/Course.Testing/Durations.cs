using System.Globalization;

namespace Course.Testing;

/// <summary>
/// Short ways to write and print the bounds of waits: <c>5.Seconds()</c>,
/// <c>200.Milliseconds()</c>, and "5 s" / "200 ms" in messages.
/// </summary>
public static class Durations
{
    /// <summary><c>5.Seconds()</c> is <c>TimeSpan.FromSeconds(5)</c>.</summary>
    public static TimeSpan Seconds(this int seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary><c>200.Milliseconds()</c> is <c>TimeSpan.FromMilliseconds(200)</c>.</summary>
    public static TimeSpan Milliseconds(this int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    /// <summary>A duration as a reader says it: "5 s", "1.5 s", "200 ms".</summary>
    public static string Describe(TimeSpan duration)
    {
        if (duration == Timeout.InfiniteTimeSpan)
            return "forever";
        if (duration < TimeSpan.FromSeconds(1))
            return duration.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture) + " ms";
        return duration.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
    }
}
