using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The reference peer of Lab 06's benchmarks: ws://HOST:PORT/echo on Kestrel
// and .NET's own WebSocket (the server side of ManagedWebSocket), answering as
// the lab's /echo does: each message back whole, with its type (text or binary),
// until the client closes; the close is answered with the client's code.
//
//   dotnet Lab06.KestrelEcho.dll [--port N] [--host 127.0.0.1]
//
// It prints "listening on http://HOST:PORT/" once it accepts connections
// (--port 0 picks a free port and prints it). Logging is off, so the
// benchmark measures the echo, not the console.

if (!TryParse(args, out var host, out var port, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine("usage: Lab06.KestrelEcho [--port N] [--host 127.0.0.1]");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(host, port));

var app = builder.Build();
// The default keepalive (a pong every 2 minutes, RFC 6455 §5.5.3) never fires
// within a benchmark; it is left as ASP.NET Core sets it.
app.UseWebSockets();
app.Run(async context =>
{
    if (context.Request.Path != "/echo")
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return;
    }
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
        context.Response.Headers.Upgrade = "websocket";
        return;
    }
    using var socket = await context.WebSockets.AcceptWebSocketAsync();
    await Echo.RunAsync(socket, context.RequestAborted);
});

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"listening on {address.TrimEnd('/')}/");
await app.WaitForShutdownAsync();
return 0;

static bool TryParse(string[] args, out IPAddress host, out int port, out string error)
{
    host = IPAddress.Loopback;
    port = 0;
    error = "";
    for (var i = 0; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--port" when int.TryParse(value, out port) && port is >= 0 and <= 65535:
                i++;
                break;
            case "--host" when IPAddress.TryParse(value, out var parsed):
                host = parsed;
                i++;
                break;
            default:
                error = $"unexpected argument '{args[i]}'" + (value is null ? "" : $" (before '{value}')");
                return false;
        }
    }
    return true;
}

static class Echo
{
    /// <summary>The largest message echoed; a longer one is closed with 1009 (RFC 6455 §7.4.1), as the lab's default limit does.</summary>
    const int MaxMessageSize = 1 << 20;

    public static async Task RunAsync(WebSocket socket, CancellationToken aborted)
    {
        try
        {
            while (true)
            {
                // Wait for the next message with no buffer at all: ManagedWebSocket
                // then reads only the frame header into its own 14 bytes, so an idle
                // connection holds no payload buffer. One is rented when a message
                // has begun, and given back once it is echoed.
                var first = await socket.ReceiveAsync(Memory<byte>.Empty, aborted);
                if (first.MessageType == WebSocketMessageType.Close)
                {
                    // RFC 6455 §5.5.1: answer a close with a close, echoing the status code.
                    await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, aborted);
                    return;
                }
                var buffer = ArrayPool<byte>.Shared.Rent(4096);
                try
                {
                    var length = 0;
                    var end = first.EndOfMessage;
                    while (!end)
                    {
                        if (length == buffer.Length)
                        {
                            if (buffer.Length >= MaxMessageSize)
                            {
                                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "message too big", aborted);
                                return;
                            }
                            var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, length).CopyTo(bigger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = bigger;
                        }
                        var result = await socket.ReceiveAsync(buffer.AsMemory(length), aborted);
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, null, aborted);
                            return;
                        }
                        length += result.Count;
                        end = result.EndOfMessage;
                    }
                    await socket.SendAsync(buffer.AsMemory(0, length), first.MessageType, endOfMessage: true, aborted);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer vanished without a closing handshake: nothing to answer.
        }
    }
}
