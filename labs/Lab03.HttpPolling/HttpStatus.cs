namespace Lab03.HttpPolling;

/// <summary>The status codes this lab sends, with the reason phrases of RFC 9110 §15.</summary>
public static class HttpStatus
{
    public const int SwitchingProtocols = 101;
    public const int Ok = 200;
    public const int Created = 201;
    public const int NoContent = 204;
    public const int NotModified = 304;
    public const int BadRequest = 400;
    public const int Forbidden = 403;
    public const int NotFound = 404;
    public const int MethodNotAllowed = 405;
    public const int RequestTimeout = 408;
    public const int ContentTooLarge = 413;
    public const int UriTooLong = 414;
    public const int UnsupportedMediaType = 415;
    public const int UpgradeRequired = 426;
    public const int RequestHeaderFieldsTooLarge = 431;
    public const int InternalServerError = 500;
    public const int NotImplemented = 501;
    public const int ServiceUnavailable = 503;
    public const int HttpVersionNotSupported = 505;

    /// <summary>
    /// Whether a response with this status may carry a body (and so
    /// Content-Length): not 1xx, 204 or 304 (RFC 9110 §6.4.1, §8.6).
    /// </summary>
    public static bool MayHaveBody(int status) => status >= 200 && status is not NoContent and not NotModified;

    /// <summary>The reason phrase for a status line: "Not Found" for 404.</summary>
    /// <remarks>RFC 9112 §4: the reason phrase is for humans; clients must not depend on it.</remarks>
    public static string ReasonPhrase(int status) => status switch
    {
        SwitchingProtocols => "Switching Protocols",
        Ok => "OK",
        Created => "Created",
        NoContent => "No Content",
        NotModified => "Not Modified",
        BadRequest => "Bad Request",
        Forbidden => "Forbidden",
        NotFound => "Not Found",
        MethodNotAllowed => "Method Not Allowed",
        RequestTimeout => "Request Timeout",
        ContentTooLarge => "Content Too Large",
        UriTooLong => "URI Too Long",
        UnsupportedMediaType => "Unsupported Media Type",
        UpgradeRequired => "Upgrade Required",
        RequestHeaderFieldsTooLarge => "Request Header Fields Too Large",
        InternalServerError => "Internal Server Error",
        NotImplemented => "Not Implemented",
        ServiceUnavailable => "Service Unavailable",
        HttpVersionNotSupported => "HTTP Version Not Supported",
        _ => "",
    };
}
