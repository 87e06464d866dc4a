using System.Text;

namespace Lab07.WebSocketClient;

/// <summary>
/// The checks the browser's <c>WebSocket</c> makes before anything goes on
/// the wire (the WHATWG WebSockets standard, "new WebSocket(url, protocols)"
/// and "close(code, reason)"): what a script may ask for, and the exception
/// it gets otherwise. The browser throws a DOMException named SyntaxError or
/// InvalidAccessError; this client throws ArgumentException and
/// ArgumentOutOfRangeException whose messages start with those names.
/// </summary>
public static class BrowserRules
{
    /// <summary>
    /// The URL a WebSocket connects to: absolute; http: and https: are taken
    /// as ws: and wss: (as browsers do since 2023); any other scheme, or a
    /// fragment (#...), is a SyntaxError (RFC 6455 §3: a WebSocket URI has no fragment).
    /// </summary>
    /// <exception cref="ArgumentException">SyntaxError: the URL cannot be used for a WebSocket.</exception>
    public static Uri ParseUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        throw new NotImplementedException("Lab 07 · step 1: Uri.TryCreate(url, UriKind.Absolute, out var uri), else throw ArgumentException(\"SyntaxError: ...\"); an http or https URL becomes ws or wss (UriBuilder; keep the port unless it is the default: Port = -1); any other scheme but ws/wss, or a fragment (uri.Fragment, or a '#' in url), is an ArgumentException starting \"SyntaxError:\" that names what was wrong. Return the URI. Notebook 07 §2, RFC 6455 §3.");
    }

    /// <summary>
    /// The close frame <c>close(code, reason)</c> sends: with neither, a close
    /// frame with no payload (the server's echo then reports 1005); a reason
    /// alone goes with 1000. A code must be 1000 or 3000-4999 (the others are
    /// the protocol's own, RFC 6455 §7.4.2), and the reason at most 123 UTF-8
    /// bytes (§5.5: 125 for the payload, 2 of them the code).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">InvalidAccessError: a code a script may not send.</exception>
    /// <exception cref="ArgumentException">SyntaxError: a reason over 123 UTF-8 bytes.</exception>
    public static CloseStatus CloseStatusFor(int? code, string? reason)
    {
        throw new NotImplementedException("Lab 07 · step 2: a code that is not 1000 and not in 3000-4999 → throw ArgumentOutOfRangeException whose message starts \"InvalidAccessError:\"; a reason over CloseStatus.MaxReasonBytes (123) UTF-8 bytes (Encoding.UTF8.GetByteCount) → ArgumentException starting \"SyntaxError:\". Neither code nor reason → CloseStatus.Empty (no payload); otherwise new CloseStatus(code ?? 1000, reason ?? \"\"). Notebook 07 §2, RFC 6455 §5.5 and §7.4.2.");
    }
}
