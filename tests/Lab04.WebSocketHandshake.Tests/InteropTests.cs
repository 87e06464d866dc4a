using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lab04.WebSocketHandshake.Tests;

/// <summary>
/// Peers this course did not write (notebook 04 §9): .NET's ClientWebSocket
/// against the lab's server, and the lab's client against Kestrel.
/// </summary>
public class InteropTests
{
    private const string Read = "Notebook 04 §9; RFC 6455 §4";

    [Fact, Graded(2, Hint = Read)]
    public async Task ClientWebSocket_opens_a_connection_to_the_server_with_subprotocol_chat()
    {
        await using var server = await HandshakeServer.StartAsync();
        using var ws = new ClientWebSocket();
        ws.Options.Proxy = null; // straight to loopback, whatever HTTP_PROXY says
        ws.Options.AddSubProtocol("chat");
        // ClientWebSocket offers permessage-deflate with these options: the server must decline it, and the client must accept that.
        ws.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        ws.Options.CollectHttpResponseDetails = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await ws.ConnectAsync(server.EchoUrl, deadline.Token).Within(TimeSpan.FromSeconds(10), "step 7: ClientWebSocket.ConnectAsync to the lab's /echo", server.Story);
        }
        catch (WebSocketException e)
        {
            Check.Fail($"step 7: ClientWebSocket could not connect to {server.EchoUrl}: {e.Message} (HTTP status {(int)ws.HttpStatusCode})",
                $"{Read}. The server's log:\n{server.Story()}");
        }
        Check.Equal(ws.State, WebSocketState.Open, "step 7: ClientWebSocket's State after its handshake with the lab's server", Read);
        Check.Equal(ws.SubProtocol, "chat", "step 7: ClientWebSocket's SubProtocol (it offered chat; /echo speaks chat and json)", Read);
        Check.True(ws.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") != true,
            "step 7: the server accepted permessage-deflate, which this lab must decline (Lab 09 implements it)", Read + "; RFC 6455 §9.1");
        await Eventually.TrueAsync(() => server.Demo.OpenConnections == 1, TimeSpan.FromSeconds(5),
            "step 7: the /echo handler to hold ClientWebSocket's connection (OpenConnections 1)", server.Story);
        ws.Abort();
        await Eventually.TrueAsync(() => server.Demo.OpenConnections == 0, TimeSpan.FromSeconds(5),
            "step 7: the /echo handler to end after ClientWebSocket aborted (OpenConnections 0)", server.Story);
    }

    [Fact, Graded(1, Hint = "Notebook 04 §6 and §9; RFC 6455 §10.2")]
    public async Task ClientWebSocket_from_a_foreign_origin_is_refused_with_403()
    {
        await using var server = await HandshakeServer.StartAsync();
        using var ws = new ClientWebSocket();
        ws.Options.Proxy = null;
        ws.Options.SetRequestHeader("Origin", "https://evil.example");
        ws.Options.CollectHttpResponseDetails = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await ws.ConnectAsync(server.EchoUrl, deadline.Token).Within(TimeSpan.FromSeconds(10), "step 6: ClientWebSocket.ConnectAsync with Origin: https://evil.example", server.Story);
            Check.Fail("step 6: ClientWebSocket with Origin: https://evil.example was let in; expected 403 Forbidden.", "Notebook 04 §6; RFC 6455 §10.2");
        }
        catch (WebSocketException)
        {
            Check.Equal((int)ws.HttpStatusCode, 403, "step 6: the HTTP status ClientWebSocket saw for Origin: https://evil.example", $"Notebook 04 §6; RFC 6455 §10.2. The server's log:\n{server.Story()}");
        }
    }

    [Fact, Graded(2, Hint = "Notebook 04 §7 and §9; RFC 6455 §4.1")]
    public async Task HandshakeClient_connects_to_Kestrel_and_gets_subprotocol_chat()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (context.Request.Path != "/ws" || !context.WebSockets.IsWebSocketRequest)
            {
                // Kestrel's IsWebSocketRequest wants GET, Upgrade: websocket and Connection: Upgrade: say so.
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("not a WebSocket handshake for /ws: Kestrel wants GET, Upgrade: websocket, Connection: Upgrade (step 8)");
                return;
            }
            var chosen = context.WebSockets.WebSocketRequestedProtocols.Contains("chat") ? "chat" : null;
            using var socket = await context.WebSockets.AcceptWebSocketAsync(chosen);
            var buffer = new byte[1024];
            try
            {
                while ((await socket.ReceiveAsync(buffer, context.RequestAborted)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // The lab's client closes its socket without a closing handshake (that comes in Lab 06-07).
            }
        });
        await app.StartAsync().Within(TimeSpan.FromSeconds(10), "Kestrel to start");
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var url = new Uri($"ws://127.0.0.1:{address.Port}/ws");
            var options = new ClientHandshakeOptions
            {
                Subprotocols = ["json", "chat"],
                Extensions = [new ExtensionOffer("permessage-deflate", [new ExtensionParameter("client_max_window_bits")])],
                Timeout = TimeSpan.FromSeconds(5),
            };
            try
            {
                await using var connection = await HandshakeClient.ConnectAsync(url, options).Within(TimeSpan.FromSeconds(10), "step 9: HandshakeClient.ConnectAsync to Kestrel");
                Check.Equal(connection.Result.Subprotocol, "chat", "step 9: Result.Subprotocol after a handshake with Kestrel (offered json, chat; Kestrel's app picks chat)", "Notebook 04 §7; RFC 6455 §4.1");
                Check.Equal(connection.Result.Extensions.Count, 0, "step 9: extensions in force with Kestrel (it declines permessage-deflate unless told otherwise)", "Notebook 04 §7; RFC 6455 §9.1");
                Check.Equal(connection.Response.Status, 101, "step 9: the status of Kestrel's answer", "Notebook 04 §7");
            }
            catch (HandshakeFailedException e)
            {
                Check.Fail(e.Failure == HandshakeFailure.NotSwitchingProtocols
                        ? $"step 8: Kestrel did not accept the lab's request, {e.Failure}: {e.Message}"
                        : $"step 9: the lab's client refused Kestrel's 101, {e.Failure}: {e.Message}",
                    e.Failure == HandshakeFailure.NotSwitchingProtocols
                        ? "Notebook 04 §7; RFC 6455 §4.1. Kestrel refused the request: compare what BuildRequest writes with the request of RFC 6455 §1.2."
                        : "Notebook 04 §7 and §9; RFC 6455 §4.1. Kestrel is a correct server: compare its 101 with what Validate expects.");
            }
        }
        finally
        {
            await app.StopAsync().Within(TimeSpan.FromSeconds(10), "Kestrel to stop");
        }
    }
}
