namespace Lab04.WebSocketHandshake;

/// <summary>Why a server refuses an opening handshake (RFC 6455 §4.2.1, §4.2.2).</summary>
public enum HandshakeError
{
    /// <summary>The method is not GET (§4.2.1 item 1).</summary>
    MethodNotGet,
    /// <summary>
    /// HTTP/1.0: the upgrade needs HTTP/1.1 or later (§4.2.1 item 1). On the
    /// wire a server never gets this far: it must ignore Upgrade in an
    /// HTTP/1.0 request (RFC 9110 §7.8) and serve it as ordinary HTTP.
    /// </summary>
    HttpVersionTooOld,
    /// <summary>No Host field (§4.2.1 item 2).</summary>
    MissingHost,
    /// <summary>Upgrade does not list websocket (§4.2.1 item 3): the client must upgrade to be served here.</summary>
    MissingUpgrade,
    /// <summary>Upgrade: websocket came without <c>Connection: Upgrade</c> (§4.2.1 item 4).</summary>
    MissingConnectionUpgrade,
    /// <summary>A list field (Connection, Upgrade, Sec-WebSocket-Protocol, -Extensions) is malformed.</summary>
    MalformedHeader,
    /// <summary>No Sec-WebSocket-Key, or more than one (§4.2.1 item 5).</summary>
    MissingKey,
    /// <summary>A Sec-WebSocket-Key that is not base64 for 16 bytes (§4.2.1 item 5).</summary>
    InvalidKey,
    /// <summary>Sec-WebSocket-Version is missing or not 13 (§4.2.1 item 6, §4.4).</summary>
    UnsupportedVersion,
    /// <summary>The Origin is not one this server accepts (§4.2.2 item 4, §10.2).</summary>
    ForbiddenOrigin,
}

/// <summary>
/// A refused handshake: why (<see cref="Error"/>) and, in the message, what
/// was wrong, for the body of the error response. Never anything internal.
/// </summary>
public sealed class HandshakeRejectedException(HandshakeError error, string message) : Exception(message)
{
    /// <summary>Why.</summary>
    public HandshakeError Error { get; } = error;

    /// <summary>The status to answer with.</summary>
    public int Status => HandshakeErrors.StatusFor(Error);
}

/// <summary>The one place that decides how each refused handshake is answered.</summary>
public static class HandshakeErrors
{
    /// <summary>The version of the protocol this server speaks, for Sec-WebSocket-Version (RFC 6455 §4.1 item 9).</summary>
    public const string Version = "13";

    /// <summary>The status for <paramref name="error"/>.</summary>
    public static int StatusFor(HandshakeError error)
    {
        // BEGIN SOLUTION
        return error switch
        {
            HandshakeError.MethodNotGet => HttpStatus.MethodNotAllowed,          // 405, RFC 9110 §15.5.6
            HandshakeError.UnsupportedVersion => HttpStatus.UpgradeRequired,     // 426, RFC 6455 §4.4
            HandshakeError.MissingUpgrade => HttpStatus.UpgradeRequired,         // 426, RFC 9110 §15.5.22
            HandshakeError.ForbiddenOrigin => HttpStatus.Forbidden,              // 403, RFC 6455 §4.2.2 item 4
            // 400 for the rest, HTTP/1.0 included: 505 would say the server
            // refuses HTTP/1 altogether (RFC 9110 §15.6.6), which it does not.
            _ => HttpStatus.BadRequest,                                           // 400, RFC 6455 §4.2.1
        };
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 4: a switch from HandshakeError to status: MethodNotGet → 405, UnsupportedVersion and MissingUpgrade → 426 (Upgrade Required), ForbiddenOrigin → 403, every other error → 400. Use the HttpStatus constants. Notebook 04 §4, RFC 6455 §4.2.1 and §4.4.");
    }

    /// <summary>
    /// The response to a refused handshake: its status, the reason in a
    /// text body, and the fields the status requires: <c>Allow: GET</c> on
    /// 405 (RFC 9110 §15.5.6), and on 426 the versions this server speaks
    /// (<c>Sec-WebSocket-Version: 13</c>, RFC 6455 §4.4) with
    /// <c>Upgrade: websocket</c> and <c>Connection: Upgrade</c> (RFC 9110 §15.5.22, §7.8).
    /// </summary>
    public static HttpResponse ResponseFor(HandshakeRejectedException rejected)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        // BEGIN SOLUTION
        int status = rejected.Status;
        var response = HttpResponse.Text(status, $"{status} {HttpStatus.ReasonPhrase(status)}: {rejected.Message}");
        if (status == HttpStatus.MethodNotAllowed)
            response.Headers.Add("Allow", "GET");
        if (status == HttpStatus.UpgradeRequired)
        {
            response.Headers.Add("Sec-WebSocket-Version", Version);
            response.Headers.Add("Upgrade", "websocket");
            response.Headers.Add("Connection", "Upgrade");
        }
        return response;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 04 · step 4: HttpResponse.Text(status, \"{status} {reason}: {message}\") with status = rejected.Status; then the fields the status needs: 405 → Allow: GET; 426 → Sec-WebSocket-Version: 13, Upgrade: websocket, Connection: Upgrade. Notebook 04 §4, RFC 9110 §15.5.6 and §15.5.22, RFC 6455 §4.4.");
    }
}
