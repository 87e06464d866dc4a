using System.Globalization;

namespace Lab03.HttpPolling;

/// <summary>
/// The message feed over HTTP: the application the server runs. It sees
/// parsed requests and returns responses; it knows nothing of sockets.
/// </summary>
/// <remarks>
/// <code>
/// POST /messages            {"text":"hi"}  → 201 {"id":4,"text":"hi"}
/// GET  /messages?since=3                   → 200 [{"id":4,"text":"hi"}]  at once (short polling)
/// GET  /messages?since=4&amp;wait=20           → 200 [...] as soon as there is a message after 4,
///                                            or 200 [] after 20 s (long polling)
/// GET  /                                   → 200 a short help text
/// </code>
/// </remarks>
public sealed class FeedApp
{
    /// <summary>What /messages allows (RFC 9110 §15.5.6: a 405 must say it in Allow).</summary>
    public const string MessagesAllow = "GET, HEAD, POST";

    /// <summary>Creates the application over <paramref name="feed"/> (a new one when null).</summary>
    public FeedApp(MessageFeed? feed = null, TimeSpan? maxWait = null)
    {
        Feed = feed ?? new MessageFeed();
        MaxWait = maxWait ?? TimeSpan.FromSeconds(60);
    }

    /// <summary>The messages.</summary>
    public MessageFeed Feed { get; }

    /// <summary>The longest <c>wait</c> a long poll may ask for; more is a 400.</summary>
    public TimeSpan MaxWait { get; }

    /// <summary>The handler to give <see cref="HttpServer"/>.</summary>
    public Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        throw new NotImplementedException("Lab 03 · step 8: route on request.Path and request.Method: /messages with GET or HEAD → GetMessagesAsync, POST → PostMessage, any other method → MethodNotAllowed(request, MessagesAllow); / with GET or HEAD → Help(), else MethodNotAllowed(request, \"GET, HEAD\"); any other path → 404 (HttpResponse.Text(HttpStatus.NotFound, ...)). Notebook 03 §5, RFC 9110 §15.5.");
    }

    /// <summary>GET /messages?since=N[&amp;wait=S]: short poll, or long poll when wait is there.</summary>
    private async Task<HttpResponse> GetMessagesAsync(HttpRequest request, CancellationToken cancellation)
    {
        var query = request.Query;
        if (!TryParseSince(query["since"], out long since))
            return HttpResponse.Text(HttpStatus.BadRequest,
                $"400 Bad Request: since={query["since"]} is not a message id; use since=0 for everything, then the id of the last message you got.");
        var waitText = query["wait"];
        if (waitText is null)
            return Messages(Feed.Since(since));
        // AllowDecimalPoint alone still lets "NaN" and "Infinity" through: check the value is a finite number.
        if (!double.TryParse(waitText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds) ||
            !double.IsFinite(seconds) || seconds < 0 || seconds > MaxWait.TotalSeconds)
            return HttpResponse.Text(HttpStatus.BadRequest,
                $"400 Bad Request: wait={waitText} should be a number of seconds from 0 to {MaxWait.TotalSeconds:0.##}.");
        return Messages(await Feed.WaitAsync(since, TimeSpan.FromSeconds(seconds), cancellation).ConfigureAwait(false));
    }

    /// <summary>POST /messages with {"text":"..."}: 201 and the stored message.</summary>
    private HttpResponse PostMessage(HttpRequest request)
    {
        var (text, error) = FeedJson.ReadPublish(request.Body);
        if (text is null)
            return HttpResponse.Text(HttpStatus.BadRequest, $"400 Bad Request: {error}.");
        var message = Feed.Publish(text);
        return HttpResponse.Json(HttpStatus.Created, FeedJson.Write(message));
    }

    private static HttpResponse Messages(IReadOnlyList<FeedMessage> messages) =>
        HttpResponse.Json(HttpStatus.Ok, FeedJson.Write(messages));

    private static HttpResponse MethodNotAllowed(HttpRequest request, string allow)
    {
        var response = HttpResponse.Text(HttpStatus.MethodNotAllowed,
            $"405 Method Not Allowed: {request.Path} allows {allow}, not {request.Method}.");
        response.Headers.Add("Allow", allow);
        return response;
    }

    private static HttpResponse Help() => HttpResponse.Text(HttpStatus.Ok, """
        A message feed (Lab 03, notebook 03).
          POST /messages             body {"text":"hello"}        publish; 201 and the stored message
          GET  /messages?since=N                                  the messages after id N, at once (short polling)
          GET  /messages?since=N&wait=S                           ... or wait up to S seconds for one (long polling)
        """);

    private static bool TryParseSince(string? text, out long since)
    {
        since = 0;
        return text is null || (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out since) && since >= 0);
    }
}
