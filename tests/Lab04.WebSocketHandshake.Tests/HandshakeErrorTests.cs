using System.Text;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// The one place that maps a refused handshake to its response (RFC 6455
/// §4.2.1, §4.4; RFC 9110 §15.5; notebook 04 §4): the status, the reason in
/// the body, and the fields each status needs.
/// </summary>
public class HandshakeErrorTests
{
    private const string Read = "Notebook 04 §4; RFC 6455 §4.2.1 and §4.4, RFC 9110 §15.5.6 (405), §15.5.22 (426); an HTTP/1.0 request is a 400, not a 505 (RFC 9110 §15.6.6: 505 refuses a major version)";

    [Fact, Graded(1, Hint = Read)]
    public void Each_error_maps_to_its_status()
    {
        var expected = new Dictionary<HandshakeError, int>
        {
            [HandshakeError.MethodNotGet] = 405,
            [HandshakeError.HttpVersionTooOld] = 400,
            [HandshakeError.MissingHost] = 400,
            [HandshakeError.MissingUpgrade] = 426,
            [HandshakeError.MissingConnectionUpgrade] = 400,
            [HandshakeError.MalformedHeader] = 400,
            [HandshakeError.MissingKey] = 400,
            [HandshakeError.InvalidKey] = 400,
            [HandshakeError.UnsupportedVersion] = 426,
            [HandshakeError.ForbiddenOrigin] = 403,
        };
        foreach (var error in Enum.GetValues<HandshakeError>())
        {
            Check.True(expected.ContainsKey(error), $"test bug: no expected status for HandshakeError.{error}", "Add it to this test.");
            Check.Equal(HandshakeErrors.StatusFor(error), expected[error], $"step 4: HandshakeErrors.StatusFor(HandshakeError.{error})", Read);
        }
    }

    [Fact, Graded(2, Hint = Read)]
    public void A_refusal_carries_its_reason_and_the_fields_its_status_needs()
    {
        const string reason = "a reason the test wrote (RFC 6455 §4.4).";
        foreach (var error in Enum.GetValues<HandshakeError>())
        {
            var response = HandshakeErrors.ResponseFor(new HandshakeRejectedException(error, reason));
            int status = HandshakeErrors.StatusFor(error);
            Check.Equal(response.Status, status, $"step 4: the status of HandshakeErrors.ResponseFor(a {error} refusal)", Read);
            var body = Encoding.UTF8.GetString(response.Body);
            Check.True(body.Contains(reason, StringComparison.Ordinal),
                $"step 4: the body of the {status} for {error} should hold the exception's message {Visible.Quoted(reason)}; it is {Visible.Quoted(body)}",
                Read + ". The client (and whoever runs curl -i) learns why from the body: HttpResponse.Text(status, \"{status} {reason}: {message}\").");
            Check.True(response.ContentType?.StartsWith("text/plain", StringComparison.Ordinal) == true,
                $"step 4: the Content-Type of the {status} for {error}: expected text/plain, got {response.ContentType ?? "none"}", Read);

            string? allow = response.Headers.Get("Allow");
            if (status == 405)
                Check.Equal(allow, "GET", $"step 4: the Allow field of the 405 (RFC 9110 §15.5.6: a 405 MUST say which methods are allowed)", Read);
            else
                Check.True(allow is null, $"step 4: the {status} for {error} has Allow: {allow}; only a 405 needs it", Read);

            string? version = response.Headers.Get("Sec-WebSocket-Version");
            if (status == 426)
            {
                Check.Equal(version, "13", $"step 4: the Sec-WebSocket-Version field of the 426 for {error} (RFC 6455 §4.4: the versions this server speaks)", Read);
                Check.True(HasToken(response, "Upgrade", "websocket"), $"step 4: the 426 for {error} needs Upgrade: websocket (RFC 9110 §15.5.22: a 426 MUST say which protocol to upgrade to); got {response.Headers.Get("Upgrade") ?? "none"}", Read);
                Check.True(HasToken(response, "Connection", "Upgrade"), $"step 4: the 426 for {error} needs Connection: Upgrade (Upgrade is hop-by-hop, RFC 9110 §7.8); got {response.Headers.Get("Connection") ?? "none"}", Read);
            }
            else
            {
                Check.True(version is null, $"step 4: the {status} for {error} has Sec-WebSocket-Version: {version}; only a 426 needs it", Read);
            }
            Check.True(response.Upgrade is null, $"step 4: the {status} for {error} has an Upgrade handler: a refusal never switches protocols", Read);
        }
    }

    private static bool HasToken(HttpResponse response, string field, string token) =>
        (response.Headers.Get(field) ?? "").Split(',').Any(t => t.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));
}
