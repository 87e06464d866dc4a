namespace Lab06.WebSocketServer;

/// <summary>
/// Ordinary HTTP on the WebSocket port: the page at <c>/</c>
/// (wwwroot/index.html, built into the assembly), and a word of advice for
/// a plain GET of a WebSocket path.
/// </summary>
public static class BrowserPage
{
    private static readonly Lazy<byte[]> page = new(() =>
    {
        using var stream = typeof(BrowserPage).Assembly.GetManifestResourceStream("index.html")
            ?? throw new InvalidOperationException("The page wwwroot/index.html is not built into the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The HTTP handler behind the WebSocket endpoints.</summary>
    public static Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellation)
    {
        if (request.Path is "/" or "/index.html" && request.Method is "GET" or "HEAD")
        {
            var response = new HttpResponse(HttpStatus.Ok, page.Value, "text/html; charset=utf-8");
            response.Headers.Add("Cache-Control", "no-store");
            return Task.FromResult(response);
        }
        if (request.Path is "/echo" or "/chat")
            return Task.FromResult(HandshakeErrors.ResponseFor(new HandshakeRejectedException(HandshakeError.MissingUpgrade,
                $"{request.Path} is a WebSocket endpoint: connect with new WebSocket(\"ws://{request.Headers.Get("Host")}{request.Path}\"), or open http://{request.Headers.Get("Host")}/ in a browser.")));
        return Task.FromResult(HttpResponse.Text(HttpStatus.NotFound, $"404 Not Found: {request.Path}. This server has the page /, and WebSocket endpoints /echo and /chat."));
    }
}
