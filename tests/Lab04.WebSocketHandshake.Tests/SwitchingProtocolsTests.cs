namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// The 101 response that completes the handshake (RFC 6455 §4.2.2 item 5;
/// notebook 04 §3), built by <see cref="ServerHandshake.Respond"/> from an
/// agreed handshake. No socket.
/// </summary>
public class SwitchingProtocolsTests
{
    private const string Read = "Notebook 04 §3; RFC 6455 §4.2.2 item 5";

    private static readonly UpgradeHandler Session = (_, _) => Task.CompletedTask;

    private static OpeningHandshake Agreed(string? subprotocol, params ExtensionOffer[] offered) =>
        new(new HandshakeRequest("/echo", "test", Handshakes.RfcKey, null, subprotocol is null ? [] : [subprotocol], offered), subprotocol);

    private static string Fields(HttpResponse response) => string.Join("; ", response.Headers.Select(h => $"{h.Key}: {h.Value}"));

    [Fact, Graded(1, Hint = Read)]
    public void Respond_gives_a_101_with_the_accept_and_the_chosen_subprotocol()
    {
        var response = ServerHandshake.Respond(Agreed("chat", new ExtensionOffer("permessage-deflate")), Session);
        Check.Equal(response.Status, 101, "step 7: the status of the response that accepts a handshake", Read);
        Check.Equal(response.Headers.Get("Upgrade")?.ToLowerInvariant(), "websocket", $"step 7: the Upgrade field of the 101 (fields: {Fields(response)})", Read);
        Check.Equal(response.Headers.Get("Connection")?.ToLowerInvariant(), "upgrade", $"step 7: the Connection field of the 101 (fields: {Fields(response)})", Read);
        Check.Equal(response.Headers.Get("Sec-WebSocket-Accept"), Handshakes.RfcAccept,
            $"step 7: the Sec-WebSocket-Accept of the 101 for the key {Handshakes.RfcKey} (fields: {Fields(response)})", Read);
        Check.Equal(response.Headers.Get("Sec-WebSocket-Protocol"), "chat", $"step 7: the Sec-WebSocket-Protocol of the 101 when chat was chosen (fields: {Fields(response)})", Read);
        Check.Equal(response.Headers.GetAll("Sec-WebSocket-Protocol").Count, 1, "step 7: Sec-WebSocket-Protocol fields in the 101", Read);
        Check.True(!response.Headers.Contains("Sec-WebSocket-Extensions"),
            $"step 7: the 101 names extensions ({response.Headers.Get("Sec-WebSocket-Extensions")}); this lab declines every offer by naming none (RFC 6455 §9.1)", Read);
        Check.True(response.Upgrade is not null, "step 7: the 101 has no Upgrade handler: the session must run on the connection after it (HttpResponse.SwitchingProtocols(\"websocket\", session))", Read);
        Check.Equal(response.Body.Length, 0, "step 7: body bytes in the 101 (a 1xx has none)", Read);
    }

    [Fact, Graded(1, Hint = Read)]
    public void Respond_names_no_subprotocol_when_none_was_chosen()
    {
        var response = ServerHandshake.Respond(Agreed(null), Session);
        Check.Equal(response.Status, 101, "step 7: the status of the response that accepts a handshake", Read);
        Check.True(!response.Headers.Contains("Sec-WebSocket-Protocol"),
            $"step 7: the 101 has Sec-WebSocket-Protocol: {response.Headers.Get("Sec-WebSocket-Protocol")} though no subprotocol was chosen; leave the field out (an empty one is not a token)", Read);
        Check.Equal(response.Headers.Get("Sec-WebSocket-Accept"), Handshakes.RfcAccept, "step 7: the Sec-WebSocket-Accept of the 101", Read);
    }
}
