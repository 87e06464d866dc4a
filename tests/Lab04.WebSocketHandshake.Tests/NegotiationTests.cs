namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// What the server agrees to (RFC 6455 §4.2.2 item 4-5, §10.2; notebook 04
/// §5-§6): the subprotocol, in the client's order; the Origin policy.
/// Pure functions, tried on values built in the test.
/// </summary>
public class NegotiationTests
{
    private const string ReadSubprotocols = "Notebook 04 §5; RFC 6455 §4.2.2 item 5.4 (the server picks one of the client's subprotocols, or none), §11.3.4";
    private const string ReadOrigin = "Notebook 04 §6; RFC 6455 §4.2.2 item 4 and §10.2 (Origin)";

    private const string Host = "127.0.0.1:8080";

    private static HandshakeRequest Request(string? origin = null, params string[] subprotocols) =>
        new("/echo", Host, Handshakes.RfcKey, origin, subprotocols, []);

    [Fact, Graded(1, Hint = ReadSubprotocols)]
    public void Chooses_the_first_offered_subprotocol_the_server_supports()
    {
        var cases = new (string[] Offered, string[] Supported, string? Chosen, string Why)[]
        {
            (["json", "chat"], ["chat", "json"], "json", "the client's order of preference decides, not the server's"),
            (["chat"], ["chat", "json"], "chat", "the only one offered"),
            (["superchat", "chat"], ["chat"], "chat", "the first offered that the server supports"),
            ([], ["chat", "json"], null, "none offered: none chosen"),
            (["chat"], [], null, "none supported: none chosen"),
            (["mqtt"], ["chat", "json"], null, "none in common"),
            (["Chat"], ["chat"], null, "subprotocol names are compared exactly: \"Chat\" is not \"chat\""),
        };
        foreach (var (offered, supported, chosen, why) in cases)
            Check.Equal(ServerHandshake.ChooseSubprotocol(offered, supported), chosen,
                $"step 6: ChooseSubprotocol(offered [{string.Join(", ", offered)}], supported [{string.Join(", ", supported)}]) ({why})", ReadSubprotocols);
    }

    [Fact, Graded(2, Hint = ReadOrigin)]
    public void The_origin_policy_allows_the_servers_own_pages_and_listed_origins_only()
    {
        var cases = new (OriginPolicy Policy, string PolicyName, string? Origin, string Host, bool Allowed, string Why)[]
        {
            (OriginPolicy.Default, "the default policy", null, Host, true, "no Origin: not a browser, which the policy does not protect"),
            (OriginPolicy.Default, "the default policy", "http://127.0.0.1:8080", Host, true, "a page this server served (same host and port)"),
            (OriginPolicy.Default, "the default policy", "http://localhost", "localhost:80", true, "same host, default port 80 on both sides"),
            (OriginPolicy.Default, "the default policy", "https://evil.example", Host, false, "a foreign page"),
            (OriginPolicy.Default, "the default policy", "http://127.0.0.1:8081", Host, false, "another port is another origin"),
            (OriginPolicy.Default, "the default policy", "null", Host, false, "\"null\", an opaque origin (a sandboxed frame, a file:// page), names no site"),
            (OriginPolicy.Allow("https://chat.example"), "Allow(\"https://chat.example\")", "https://chat.example", Host, true, "a listed origin"),
            (OriginPolicy.Allow("https://chat.example"), "Allow(\"https://chat.example\")", "HTTPS://CHAT.EXAMPLE", Host, true, "a listed origin, in capitals (schemes and hosts ignore case)"),
            (OriginPolicy.Allow("https://chat.example"), "Allow(\"https://chat.example\")", "https://chat.example.evil", Host, false, "an origin that only starts like a listed one"),
            (OriginPolicy.Allow("null"), "Allow(\"null\")", "null", Host, true, "\"null\" listed explicitly"),
            (new OriginPolicy { AllowMissingOrigin = false }, "AllowMissingOrigin = false", null, Host, false, "no Origin, refused when the server wants browsers only"),
            (new OriginPolicy { AllowSameHost = false }, "AllowSameHost = false", "http://127.0.0.1:8080", Host, false, "the server's own pages, not allowed by this policy"),
            (new OriginPolicy { AllowAnyOrigin = true }, "AllowAnyOrigin = true", "https://evil.example", Host, true, "a public service that allows any page"),
        };
        foreach (var (policy, name, origin, host, allowed, why) in cases)
            Check.Equal(policy.IsAllowed(origin, host), allowed,
                $"step 6: {name}.IsAllowed(origin {(origin is null ? "null" : Visible.Quoted(origin))}, host \"{host}\") ({why})", ReadOrigin);
    }

    [Fact, Graded(1, Hint = ReadOrigin + "; " + ReadSubprotocols)]
    public void Negotiate_refuses_a_foreign_origin_and_otherwise_picks_the_subprotocol()
    {
        var policy = new HandshakePolicy { Subprotocols = ["chat", "json"] };
        var request = Request("http://127.0.0.1:8080", "json", "chat");
        var agreed = ServerHandshake.Negotiate(request, policy);
        Check.Equal(agreed.Subprotocol, "json", "step 6: the subprotocol Negotiate chose for offers json, chat (server: chat, json)", ReadSubprotocols);
        Check.True(ReferenceEquals(agreed.Request, request) || agreed.Request == request, "step 6: the OpeningHandshake from Negotiate should carry the request it was given", ReadSubprotocols);
        Check.Equal(ServerHandshake.Negotiate(Request(), policy).Subprotocol, null, "step 6: the subprotocol Negotiate chose when none is offered", ReadSubprotocols);

        try
        {
            ServerHandshake.Negotiate(Request("https://evil.example", "chat"), policy);
            Check.Fail("step 6: Negotiate accepted a handshake from Origin https://evil.example to 127.0.0.1:8080; expected HandshakeRejectedException(ForbiddenOrigin).", ReadOrigin);
        }
        catch (HandshakeRejectedException e)
        {
            Check.Equal(e.Error, HandshakeError.ForbiddenOrigin, "step 6: the error for a foreign Origin", ReadOrigin);
            Check.True(e.Message.Length > 0, "step 6: the refusal of a foreign Origin has an empty message; say which origin was refused", ReadOrigin);
        }
    }
}
