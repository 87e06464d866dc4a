using System.Net.Sockets;

namespace Lab03.HttpPolling;

/// <summary>
/// Runs a connection after a 101 (Switching Protocols) response: from then on
/// the bytes are the new protocol's, not HTTP's. The server closes the
/// connection when the task ends. Cancelled when the server stops.
/// </summary>
public delegate Task UpgradeHandler(UpgradedConnection connection, CancellationToken cancellation);

/// <summary>
/// What the server hands over after a 101 response (RFC 9110 §7.8, §15.2.2):
/// the socket, the request that asked for the upgrade, and any bytes that
/// arrived behind that request, which already belong to the new protocol.
/// </summary>
public sealed class UpgradedConnection(Socket socket, string peer, HttpRequest request, byte[] received)
{
    /// <summary>The connection; no longer HTTP. Send and receive on it; the server disposes it when the handler ends.</summary>
    public Socket Socket { get; } = socket;

    /// <summary>The client's address, for logs: "127.0.0.1:50312".</summary>
    public string Peer { get; } = peer;

    /// <summary>The request that asked for the upgrade.</summary>
    public HttpRequest Request { get; } = request;

    /// <summary>Bytes received after the request's last byte, before the switch: read them before the socket.</summary>
    public ReadOnlyMemory<byte> Received { get; } = received;
}
