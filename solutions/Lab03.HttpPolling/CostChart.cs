using ScottPlot;

namespace Lab03.HttpPolling;

/// <summary>The measurements of notebook 03 drawn as PNG images (ScottPlot), one bar per poller.</summary>
public static class CostChart
{
    /// <summary>Bytes on the wire per delivered message, minimal and browser-like requests side by side.</summary>
    public static byte[] BytesPerMessage(IReadOnlyList<PollingResult> results, int width = 720, int height = 380) =>
        Grouped(results, r => r.BytesPerMessage, "Bytes on the wire per delivered message", "bytes (request + response, both ways)", width, height);

    /// <summary>Median publish-to-delivery latency per poller.</summary>
    public static byte[] Latency(IReadOnlyList<PollingResult> results, int width = 720, int height = 380) =>
        Grouped(results, r => r.MedianLatencyMs, "Publish-to-delivery latency (median)", "milliseconds", width, height);

    /// <summary>Requests per minute while nothing is published.</summary>
    public static byte[] IdleRequests(IReadOnlyList<PollingResult> idle, int width = 720, int height = 380) =>
        Grouped(idle, r => r.RequestsPerMinute, "Requests per minute while nothing happens", "requests / minute", width, height);

    /// <summary>
    /// One group of bars per polling style (in the order first met), one bar
    /// per request profile in each group, with a legend.
    /// </summary>
    private static byte[] Grouped(IReadOnlyList<PollingResult> results, Func<PollingResult, double> value,
        string title, string axis, int width, int height)
    {
        var styles = results.Select(r => r.Spec.Style).Distinct().ToList();
        var profiles = results.Select(r => r.Spec.Profile.Name).Distinct().ToList();
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double barWidth = 0.8 / profiles.Count;
        for (int p = 0; p < profiles.Count; p++)
        {
            var bars = new List<Bar>();
            foreach (var result in results.Where(r => r.Spec.Profile.Name == profiles[p]))
            {
                double position = styles.IndexOf(result.Spec.Style) - 0.4 + barWidth * (p + 0.5);
                bars.Add(new Bar { Position = position, Value = value(result), Size = barWidth * 0.9, FillColor = palette.GetColor(p) });
            }
            var series = plot.Add.Bars(bars);
            series.LegendText = profiles[p];
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, styles.Count).Select(i => (double)i).ToArray(), styles.ToArray());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(axis);
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(width, height, ImageFormat.Png);
    }
}
