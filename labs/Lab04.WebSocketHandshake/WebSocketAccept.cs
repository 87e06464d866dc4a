using System.Security.Cryptography;
using System.Text;

namespace Lab04.WebSocketHandshake;

/// <summary>
/// The server's proof that it read the handshake (RFC 6455 §1.3, §4.2.2):
/// <c>Sec-WebSocket-Accept = base64(SHA-1(Sec-WebSocket-Key + GUID))</c>.
/// </summary>
/// <remarks>
/// It is not security: anyone can compute it. It shows the client that the
/// server understood WebSocket, so that a plain HTTP server (or a cache) that
/// answers with some other status, or that echoes headers, can never be taken
/// for a WebSocket server by accident.
/// </remarks>
public static class WebSocketAccept
{
    /// <summary>The GUID fixed by RFC 6455 §1.3; no endpoint that does not know WebSocket would use it.</summary>
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>
    /// The Sec-WebSocket-Accept value for <paramref name="key"/>, the client's
    /// Sec-WebSocket-Key exactly as sent (its base64 text, not its 16 bytes):
    /// the RFC's key <c>dGhlIHNhbXBsZSBub25jZQ==</c> gives <c>s3pPLMBiTxaQ9kYGzzhZRbK+xOo=</c>.
    /// </summary>
    public static string Compute(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        throw new NotImplementedException("Lab 04 · step 1: Sec-WebSocket-Accept = base64(SHA-1(key + GUID)): concatenate the key's text (as sent, do not decode it) and WebSocketAccept.Guid, take Encoding.ASCII bytes, SHA1.HashData them, Convert.ToBase64String the 20-byte digest. The RFC's key dGhlIHNhbXBsZSBub25jZQ== gives s3pPLMBiTxaQ9kYGzzhZRbK+xOo=. Notebook 04 §3, RFC 6455 §4.2.2.");
    }
}
