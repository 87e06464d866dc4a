namespace Lab03.HttpPolling;

/// <summary>
/// The header fields a client adds to every request besides Host (and, with
/// a body, Content-Type and Content-Length): what polling really costs
/// depends on who polls.
/// </summary>
/// <param name="Name">A short name for tables: "minimal", "browser-like".</param>
/// <param name="Fields">The fields, in the order they are sent.</param>
public sealed record RequestProfile(string Name, IReadOnlyList<KeyValuePair<string, string>> Fields)
{
    /// <summary>
    /// Host only: about what .NET's HttpClient sends for a GET (notebook 03
    /// §6 shows its request as the server received it).
    /// </summary>
    public static RequestProfile Minimal { get; } = new("minimal", []);

    /// <summary>
    /// The fields a desktop Chromium sends with a <c>fetch()</c> from a page
    /// on the same site: client hints, user agent, fetch metadata, encodings,
    /// languages, and the site's cookies. Every poll carries all of them.
    /// </summary>
    public static RequestProfile BrowserLike { get; } = new("browser-like",
    [
        new("Connection", "keep-alive"),
        new("sec-ch-ua-platform", "\"Linux\""),
        new("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36"),
        new("sec-ch-ua", "\"Chromium\";v=\"142\", \"Google Chrome\";v=\"142\", \"Not_A Brand\";v=\"99\""),
        new("sec-ch-ua-mobile", "?0"),
        new("Accept", "*/*"),
        new("Sec-Fetch-Site", "same-origin"),
        new("Sec-Fetch-Mode", "cors"),
        new("Sec-Fetch-Dest", "empty"),
        new("Referer", "http://chat.example/"),
        new("Accept-Encoding", "gzip, deflate, br, zstd"),
        new("Accept-Language", "en-GB,en;q=0.9,fr;q=0.8"),
        new("Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; _ga=GA1.1.1093847561.1763900000; _ga_R2D2C3PO=GS2.1.s1763900000$o3$g1$t1763900471$j60$l0$h0"),
    ]);
}
