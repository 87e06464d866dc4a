using System.Security.Cryptography;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// Sec-WebSocket-Accept (RFC 6455 §1.3, §4.2.2 item 5.4; notebook 04 §3):
/// base64(SHA-1(key + GUID)), checked against the RFC's example and against
/// the test's own computation.
/// </summary>
public class AcceptTests
{
    private const string Read = "Notebook 04 §3; RFC 6455 §1.3 and §4.2.2 item 5.4";

    [Fact, Graded(2, Hint = Read)]
    public void The_RFC_example_key_gives_the_RFC_example_accept()
    {
        Check.Equal(WebSocketAccept.Compute(Handshakes.RfcKey), Handshakes.RfcAccept,
            $"step 1: WebSocketAccept.Compute(\"{Handshakes.RfcKey}\") (the example of RFC 6455 §1.3)",
            Read + ". Concatenate the key's text as sent (do not base64-decode it) and the GUID 258EAFA5-E914-47DA-95CA-C5AB0DC85B11, " +
            "take the ASCII bytes, SHA-1 them (20 bytes), and base64 the digest (28 characters).");
    }

    [Fact, Graded(1, Hint = Read)]
    public void Accept_matches_an_independent_SHA1_and_base64_for_random_keys()
    {
        var random = new Random(404);
        for (int i = 0; i < 20; i++)
        {
            var nonce = new byte[16];
            random.NextBytes(nonce);
            var key = Convert.ToBase64String(nonce);
            var accept = WebSocketAccept.Compute(key);
            Check.Equal(accept, Handshakes.AcceptFor(key), $"step 1: WebSocketAccept.Compute(\"{key}\")", Read);
            Check.Equal(Convert.FromBase64String(accept).Length, SHA1.HashSizeInBytes,
                $"step 1: bytes in the base64 of the accept for \"{key}\" (a SHA-1 digest is 20 bytes)", Read);
        }
    }
}
