namespace Lab06.WebSocketServer;

/// <summary>
/// Where a connection is in its life, numbered as the browser's
/// <c>WebSocket.readyState</c> is (CONNECTING 0, OPEN 1, CLOSING 2, CLOSED 3),
/// so a log line means the same in C# and in the page's JavaScript.
/// </summary>
public enum ConnectionState
{
    /// <summary>0: the opening handshake is not done. A server's connections start after it.</summary>
    Connecting = 0,
    /// <summary>1: messages flow both ways.</summary>
    Open = 1,
    /// <summary>2: a close frame was sent or received (or the connection failed); no more data is sent.</summary>
    Closing = 2,
    /// <summary>3: the TCP connection is closed.</summary>
    Closed = 3,
}
