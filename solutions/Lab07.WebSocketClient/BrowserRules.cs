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
        // BEGIN SOLUTION
        // A browser resolves a relative URL against the page; a program has no page.
        // (On Unix, Uri takes "/echo" as an absolute file: URI, so the scheme check below catches it.)
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new ArgumentException($"SyntaxError: \"{url}\" is not an absolute URL such as ws://127.0.0.1:8080/echo.", nameof(url));
        if (uri.Scheme is "http" or "https")
        {
            var builder = new UriBuilder(uri) { Scheme = uri.Scheme == "http" ? "ws" : "wss" };
            builder.Port = uri.IsDefaultPort ? -1 : uri.Port; // http's 80 is ws's 80, https's 443 is wss's 443
            uri = builder.Uri;
        }
        if (uri.Scheme is not ("ws" or "wss"))
            throw new ArgumentException($"SyntaxError: \"{url}\" has the scheme {uri.Scheme}:; a WebSocket URL starts with ws:// or wss:// (RFC 6455 §3).", nameof(url));
        if (uri.Fragment.Length > 0 || url.Contains('#', StringComparison.Ordinal))
            throw new ArgumentException($"SyntaxError: \"{url}\" has a fragment (#...); a WebSocket URL has none (RFC 6455 §3).", nameof(url));
        return uri;
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 1: Uri.TryCreate(url, UriKind.Absolute, out var uri), else throw ArgumentException(\"SyntaxError: ...\"); an http or https URL becomes ws or wss (UriBuilder; keep the port unless it is the default: Port = -1); any other scheme but ws/wss, or a fragment (uri.Fragment, or a '#' in url), is an ArgumentException starting \"SyntaxError:\" that names what was wrong. Return the URI. Notebook 07 §2, RFC 6455 §3.");
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
        // BEGIN SOLUTION
        if (code is { } c && c != (int)CloseCode.NormalClosure && c is < 3000 or > 4999)
            throw new ArgumentOutOfRangeException(nameof(code), c,
                $"InvalidAccessError: close code {c} may not be sent by an application; use 1000 or 3000-4999 (RFC 6455 §7.4.2: 1001-2999 belong to the protocol and its extensions).");
        if (reason is not null && Encoding.UTF8.GetByteCount(reason) is var bytes and > CloseStatus.MaxReasonBytes)
            throw new ArgumentException($"SyntaxError: the close reason is {bytes} UTF-8 bytes; at most {CloseStatus.MaxReasonBytes} fit in a close frame (RFC 6455 §5.5).", nameof(reason));
        if (code is null && reason is null)
            return CloseStatus.Empty;
        return new CloseStatus(code ?? (int)CloseCode.NormalClosure, reason ?? "");
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 07 · step 2: a code that is not 1000 and not in 3000-4999 → throw ArgumentOutOfRangeException whose message starts \"InvalidAccessError:\"; a reason over CloseStatus.MaxReasonBytes (123) UTF-8 bytes (Encoding.UTF8.GetByteCount) → ArgumentException starting \"SyntaxError:\". Neither code nor reason → CloseStatus.Empty (no payload); otherwise new CloseStatus(code ?? 1000, reason ?? \"\"). Notebook 07 §2, RFC 6455 §5.5 and §7.4.2.");
    }
}
