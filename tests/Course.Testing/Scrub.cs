using System.Globalization;
using System.Text.RegularExpressions;

namespace Course.Testing;

/// <summary>
/// Scrubbers: functions that replace the parts of a text that change from run
/// to run (ports, GUIDs, dates, durations) by stable placeholders, so that a
/// snapshot compares what matters.
/// </summary>
/// <remarks>
/// A scrubber is a plain <c>Func&lt;string, string&gt;</c>; combine them with
/// <see cref="Combine"/>. Name the ports you know first, so the snapshot keeps
/// them apart (<c>Scrub.Port(server.Port, "&lt;server-port&gt;")</c>), and let
/// <see cref="Default"/> catch the rest.
/// </remarks>
public static partial class Scrub
{
    /// <summary>
    /// Every scrubber <see cref="Snapshot"/> applies after the caller's own:
    /// loopback endpoints, GUIDs, timestamps, durations.
    /// </summary>
    public static Func<string, string> Default { get; } = Combine(LoopbackEndpoints, Guids, Timestamps, Durations);

    /// <summary>Replaces a known port number (as a whole number, not inside a longer one) by <paramref name="placeholder"/>.</summary>
    public static Func<string, string> Port(int port, string placeholder = "<port>")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        var number = new Regex($@"(?<![\w.]){port.ToString(CultureInfo.InvariantCulture)}(?!\w)", RegexOptions.CultureInvariant);
        return text => number.Replace(text, placeholder);
    }

    /// <summary>The two ports of one connection: the client's by "&lt;client-port&gt;", the server's by "&lt;server-port&gt;".</summary>
    public static Func<string, string> ClientServerPorts(int client, int server) =>
        Combine(Port(client, "<client-port>"), Port(server, "<server-port>"));

    /// <summary>Replaces each of the known port numbers by "&lt;port&gt;".</summary>
    public static Func<string, string> Ports(params int[] ports) => Combine(ports.Select(p => Port(p)).ToArray());

    /// <summary>127.0.0.1:51234 → 127.0.0.1:&lt;port&gt; (and [::1]:51234 → [::1]:&lt;port&gt;): ephemeral ports differ on every run.</summary>
    public static string LoopbackEndpoints(string text) => LoopbackEndpoint().Replace(text, "${host}:<port>");

    /// <summary>
    /// GUIDs → &lt;guid-1&gt;, &lt;guid-2&gt;, ... numbered by first appearance, so the
    /// same id stays the same placeholder (which connection is which stays visible).
    /// </summary>
    public static string Guids(string text)
    {
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        return Guid().Replace(text, m =>
        {
            if (!seen.TryGetValue(m.Value, out var placeholder))
                seen[m.Value] = placeholder = $"<guid-{seen.Count + 1}>";
            return placeholder;
        });
    }

    /// <summary>
    /// Dates and times → &lt;timestamp&gt;: ISO 8601 (2025-01-31T12:34:56.789Z, 2025-01-31 12:34:56)
    /// and the HTTP date of RFC 9110 §5.6.7 (Fri, 31 Jan 2025 12:34:56 GMT).
    /// </summary>
    public static string Timestamps(string text) => HttpDate().Replace(IsoTimestamp().Replace(text, "<timestamp>"), "<timestamp>");

    /// <summary>Durations → &lt;duration&gt;: "12.5 ms", "3 s", "250µs", "00:00:01.2500000".</summary>
    public static string Durations(string text) => TimeSpanText().Replace(Duration().Replace(text, "<duration>"), "<duration>");

    /// <summary>Replaces every occurrence of <paramref name="literal"/> (ordinal).</summary>
    public static Func<string, string> Replace(string literal, string placeholder)
    {
        ArgumentException.ThrowIfNullOrEmpty(literal);
        return text => text.Replace(literal, placeholder, StringComparison.Ordinal);
    }

    /// <summary>Replaces every match of a regular expression (for test-owned text only).</summary>
    public static Func<string, string> Pattern(string pattern, string placeholder)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        return text => regex.Replace(text, placeholder);
    }

    /// <summary>Applies the scrubbers in order.</summary>
    public static Func<string, string> Combine(params Func<string, string>[] scrubbers)
    {
        ArgumentNullException.ThrowIfNull(scrubbers);
        return text => scrubbers.Aggregate(text, (current, scrub) => scrub(current));
    }

    [GeneratedRegex(@"(?<host>\b127\.0\.0\.1|\[::1\]):\d{1,5}\b")]
    private static partial Regex LoopbackEndpoint();

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex Guid();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")]
    private static partial Regex IsoTimestamp();

    [GeneratedRegex(@"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT\b")]
    private static partial Regex HttpDate();

    [GeneratedRegex(@"\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s)\b")]
    private static partial Regex Duration();

    [GeneratedRegex(@"\b\d{2}:\d{2}:\d{2}\.\d{1,7}\b")]
    private static partial Regex TimeSpanText();
}
