namespace Lab05.WebSocketFrames;

/// <summary>
/// Which end of the connection the code runs at. It decides the masking
/// direction (RFC 6455 §5.1): "a client MUST mask all frames that it sends
/// to the server" and "a server MUST NOT mask any frames that it sends to
/// the client". So a server's decoder wants masked frames and a client's
/// decoder refuses them.
/// </summary>
public enum Role
{
    /// <summary>The end that accepted the connection: it sends unmasked frames and receives masked ones.</summary>
    Server,
    /// <summary>The end that opened the connection: it sends masked frames and receives unmasked ones.</summary>
    Client,
}
