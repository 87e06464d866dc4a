namespace Lab05.WebSocketFrames;

/// <summary>
/// Status codes of a close frame (RFC 6455 §7.4.1, and the IANA "WebSocket
/// Close Code Number Registry" of §11.7, which added 1012-1014). 3000-3999
/// are registered by libraries and frameworks, 4000-4999 are private to an
/// application; any value in those ranges is valid, so this enum only names
/// the protocol's own.
/// </summary>
public enum CloseCode : ushort
{
    /// <summary>1000: the purpose of the connection is fulfilled.</summary>
    NormalClosure = 1000,
    /// <summary>1001: the endpoint is going away (a server shutting down, a page navigated away from).</summary>
    GoingAway = 1001,
    /// <summary>1002: the peer broke the protocol.</summary>
    ProtocolError = 1002,
    /// <summary>1003: a type of data the endpoint cannot accept (e.g. binary to a text-only endpoint).</summary>
    UnsupportedData = 1003,
    /// <summary>1004: reserved, meaning to be defined. Never valid on the wire.</summary>
    Reserved = 1004,
    /// <summary>1005: for APIs only: the close frame had no status code. Never on the wire.</summary>
    NoStatusReceived = 1005,
    /// <summary>1006: for APIs only: the connection ended without a close frame. Never on the wire.</summary>
    AbnormalClosure = 1006,
    /// <summary>1007: the data of a message does not match its type (invalid UTF-8 in a text message).</summary>
    InvalidPayloadData = 1007,
    /// <summary>1008: a message broke the endpoint's policy (a generic code when no other fits).</summary>
    PolicyViolation = 1008,
    /// <summary>1009: a message too big to process.</summary>
    MessageTooBig = 1009,
    /// <summary>1010: sent by a client whose required extension the server did not negotiate.</summary>
    MandatoryExtension = 1010,
    /// <summary>1011: an unexpected condition kept the endpoint from fulfilling a request (RFC 6455 §7.4.1 words it for a server; clients send it too).</summary>
    InternalError = 1011,
    /// <summary>1012: the service is restarting (IANA registry).</summary>
    ServiceRestart = 1012,
    /// <summary>1013: try again later, e.g. the server is overloaded (IANA registry).</summary>
    TryAgainLater = 1013,
    /// <summary>1014: a gateway or proxy got an invalid response from upstream (IANA registry).</summary>
    BadGateway = 1014,
    /// <summary>1015: for APIs only: the TLS handshake failed. Never on the wire.</summary>
    TlsHandshake = 1015,
}

/// <summary>Which close codes may appear in a close frame.</summary>
public static class CloseCodes
{
    /// <summary>
    /// Whether <paramref name="code"/> may be sent in a close frame, and so
    /// whether a received one is acceptable (RFC 6455 §7.4.1, §7.4.2, and
    /// the IANA registry): 1000-1003, 1007-1014, and 3000-4999. Everything
    /// else fails the connection with 1002: below 1000 (unused), 1004
    /// (reserved), 1005, 1006 and 1015 (which §7.4.1 says "MUST NOT be set
    /// as a status code in a Close control frame by an endpoint"),
    /// 1016-2999 (reserved for future RFCs) and 5000 up.
    /// </summary>
    public static bool IsValidOnWire(int code)
    {
        throw new NotImplementedException("Lab 05 · step 10: the codes a close frame may carry: 1000-1003, 1007-1014 (1012-1014 from the IANA registry), and 3000-4999; never 1004, 1005, 1006, 1015, nor anything below 1000, in 1016-2999, or from 5000. A C# pattern `code is (>= 1000 and <= 1003) or ...` says it in one line. Notebook 05 §8, RFC 6455 §7.4.1 and §7.4.2.");
    }

    /// <summary>The name of a code for annotated frames and messages: "Normal Closure", "application", ...</summary>
    public static string Describe(int code) => code switch
    {
        1000 => "Normal Closure",
        1001 => "Going Away",
        1002 => "Protocol Error",
        1003 => "Unsupported Data",
        1004 => "Reserved",
        1005 => "No Status Received",
        1006 => "Abnormal Closure",
        1007 => "Invalid Payload Data",
        1008 => "Policy Violation",
        1009 => "Message Too Big",
        1010 => "Mandatory Extension",
        1011 => "Internal Error",
        1012 => "Service Restart",
        1013 => "Try Again Later",
        1014 => "Bad Gateway",
        1015 => "TLS Handshake",
        >= 3000 and <= 3999 => "registered",
        >= 4000 and <= 4999 => "private use",
        _ => "not a valid code",
    };
}
