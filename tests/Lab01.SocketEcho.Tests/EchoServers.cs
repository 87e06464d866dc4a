using System.Net;
using System.Net.Sockets;

namespace Lab01.SocketEcho.Tests;

/// <summary>Starts the lab's <see cref="EchoServer"/> on 127.0.0.1:0 with its log recorded; stops it on dispose.</summary>
internal static class EchoServers
{
    public static async Task<LoopbackServer<EchoServer>> StartAsync(int backlog = 128)
    {
        var server = await StartServerAsync(backlog);
        // An accept loop that failed at once (a starter's step 2) would leave every
        // client waiting in the backlog until its bound: say so now, with the hint.
        if (server.Log.Lines.FirstOrDefault(l => l.StartsWith("accept loop failed", StringComparison.Ordinal)) is { } failure)
        {
            await server.DisposeAsync();
            throw new ShouldAssertException($"The server's accept loop ended as soon as it started, so no client can be served: {failure}\n{server.Story()}");
        }
        return server;
    }

    private static Task<LoopbackServer<EchoServer>> StartServerAsync(int backlog) =>
        LoopbackServer.StartAsync(
            "the echo server",
            (endpoint, log) =>
            {
                var server = new EchoServer(endpoint, backlog);
                server.Log += log.Add;
                return server;
            },
            start: server =>
            {
                server.Start();
                return Task.CompletedTask;
            },
            endpointOf: server => server.LocalEndPoint,
            stop: server => server.StopAsync(),
            bound: Limits.Network);

    /// <summary>Connects a raw socket (not the lab's client) to the server.</summary>
    public static Task<Socket> ConnectAsync(this LoopbackServer<EchoServer> server) =>
        Loopback.ConnectAsync(server.EndPoint, Limits.Network);

    /// <summary>Waits until the server counts <paramref name="expected"/> open connections.</summary>
    public static Task ConnectionCountBecomes(this LoopbackServer<EchoServer> server, int expected, string why) =>
        Eventually.TrueAsync(
            () => server.Server.ConnectionCount == expected,
            Limits.Network,
            $"ConnectionCount to become {expected} ({why})",
            () => $"It is {server.Server.ConnectionCount}.\n{server.Story()}");
}
