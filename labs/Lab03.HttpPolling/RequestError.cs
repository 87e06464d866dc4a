namespace Lab03.HttpPolling;

/// <summary>What can be wrong with a request's bytes, before any application code sees it.</summary>
public enum RequestError
{
    /// <summary>Not HTTP/1.x syntax: a bad request line, a header without ':', a control character. 400.</summary>
    Malformed,
    /// <summary>The request line is over <see cref="HttpLimits.MaxRequestLineLength"/>. 414.</summary>
    RequestLineTooLong,
    /// <summary>The header fields are over <see cref="HttpLimits.MaxHeaderBytes"/> or <see cref="HttpLimits.MaxHeaderCount"/>. 431.</summary>
    HeadersTooLarge,
    /// <summary>Content-Length is over <see cref="HttpLimits.MaxBodyLength"/>. 413.</summary>
    BodyTooLarge,
    /// <summary>An HTTP version other than 1.0 and 1.1. 505.</summary>
    UnsupportedVersion,
    /// <summary>A Transfer-Encoding this server does not implement (chunked bodies). 501.</summary>
    UnsupportedTransferEncoding,
    /// <summary>The request did not arrive within the server's time limit (a slow client). 408.</summary>
    Timeout,
}

/// <summary>A request the server cannot accept; <see cref="Status"/> says which response it gets.</summary>
/// <remarks>The message is for the client to read in the error response's body: it says what was wrong, never anything internal.</remarks>
public sealed class RequestRejectedException(RequestError error, string message) : Exception(message)
{
    /// <summary>What was wrong.</summary>
    public RequestError Error { get; } = error;

    /// <summary>The status of the error response (<see cref="RequestErrors.StatusFor"/>).</summary>
    public int Status => RequestErrors.StatusFor(Error);
}

/// <summary>The one place where request errors become statuses.</summary>
public static class RequestErrors
{
    /// <summary>The status code that answers <paramref name="error"/> (RFC 9110 §15.5, RFC 6585 §5).</summary>
    public static int StatusFor(RequestError error) => error switch
    {
        RequestError.Malformed => throw new NotImplementedException("Lab 03 · step 3: map each RequestError to its status: Malformed 400, RequestLineTooLong 414, HeadersTooLarge 431, BodyTooLarge 413, UnsupportedVersion 505, UnsupportedTransferEncoding 501, Timeout 408. Notebook 03 §3, RFC 9110 §15.5."),
        _ => HttpStatus.BadRequest,
    };
}
