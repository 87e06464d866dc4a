namespace Lab03.HttpPolling;

/// <summary>One client in an experiment: how it polls, and which fields it sends.</summary>
/// <param name="Long">Long polling (true) or short polling (false).</param>
/// <param name="Period">The interval between short polls, or the wait of a long poll.</param>
/// <param name="Profile">The request fields it sends.</param>
public sealed record PollerSpec(bool Long, TimeSpan Period, RequestProfile Profile)
{
    /// <summary>Short polling every <paramref name="interval"/>.</summary>
    public static PollerSpec Short(TimeSpan interval, RequestProfile? profile = null) => new(false, interval, profile ?? RequestProfile.Minimal);

    /// <summary>Long polling that asks the server to wait up to <paramref name="wait"/>.</summary>
    public static PollerSpec LongPoll(TimeSpan wait, RequestProfile? profile = null) => new(true, wait, profile ?? RequestProfile.Minimal);

    /// <summary>"short 250 ms" or "long (wait 30 s)".</summary>
    public string Style => Long ? $"long (wait {Show(Period)})" : $"short {Show(Period)}";

    /// <summary>Runs this poller's loop until cancelled.</summary>
    public Task<long> RunAsync(FeedClient client, Action<FeedMessage> deliver, CancellationToken cancellation) => Long
        ? Polling.LongPollAsync(client, Period, deliver, 0, cancellation)
        : Polling.ShortPollAsync(client, Period, deliver, 0, cancellation);

    private static string Show(TimeSpan t) => t.TotalSeconds >= 1 ? $"{t.TotalSeconds:0.##} s" : $"{t.TotalMilliseconds:0} ms";
}

/// <summary>What one poller cost and how late its messages came.</summary>
/// <param name="Spec">The poller.</param>
/// <param name="Published">Messages published during the run.</param>
/// <param name="Delivered">Messages it delivered (each once, in order, or the run fails).</param>
/// <param name="Requests">Requests it sent.</param>
/// <param name="BytesSent">Bytes it sent, counted at its sockets.</param>
/// <param name="BytesReceived">Bytes it received, counted at its sockets.</param>
/// <param name="LatenciesMs">For each message: publish to delivery, in milliseconds.</param>
/// <param name="Duration">How long the run took.</param>
public sealed record PollingResult(PollerSpec Spec, int Published, int Delivered, int Requests,
    long BytesSent, long BytesReceived, IReadOnlyList<double> LatenciesMs, TimeSpan Duration)
{
    /// <summary>Bytes on the wire, both ways, per message delivered.</summary>
    public double BytesPerMessage => Delivered == 0 ? double.NaN : (double)(BytesSent + BytesReceived) / Delivered;

    /// <summary>Requests sent per message delivered (1 is the least possible).</summary>
    public double RequestsPerMessage => Delivered == 0 ? double.NaN : (double)Requests / Delivered;

    /// <summary>Requests per minute at the rate of this run.</summary>
    public double RequestsPerMinute => Requests / Duration.TotalMinutes;

    /// <summary>Bytes per minute, both ways, at the rate of this run.</summary>
    public double BytesPerMinute => (BytesSent + BytesReceived) / Duration.TotalMinutes;

    /// <summary>The median latency in ms.</summary>
    public double MedianLatencyMs => Percentile(0.5);

    /// <summary>The latency that 95% of messages beat, in ms.</summary>
    public double P95LatencyMs => Percentile(0.95);

    private double Percentile(double p)
    {
        if (LatenciesMs.Count == 0)
            return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
