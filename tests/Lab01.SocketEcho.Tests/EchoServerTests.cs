using System.Net.Sockets;
using System.Text;

namespace Lab01.SocketEcho.Tests;

/// <summary>The server's job: socket, bind, listen, accept, echo (notebook 01 §2-§3). The client here is a raw socket, not the lab's.</summary>
public class EchoServerTests
{
    [Fact, Graded(1)]
    public async Task Server_echoes_a_message_on_the_port_it_reports()
    {
        await using var server = await EchoServers.StartAsync();
        server.EndPoint.Port.ShouldNotBe(0,
            "LocalEndPoint must give the port the OS picked for 127.0.0.1:0 (read it from the listening socket after Bind). Notebook 01 §3.");

        using var client = await server.ConnectAsync();
        var hello = "hello\n"u8.ToArray();
        await client.SendBytesAsync(hello, Limits.Network, "\"hello␊\" to be sent", server.Story);
        var echo = await client.ReceiveBytesAsync(hello.Length, Limits.Network, "the echo of \"hello␊\"", server.Story);

        Expect.SameBytes(echo, hello, "The echo of \"hello␊\"", "Notebook 01 §3", server.Story);
    }

    [Fact, Graded(2)]
    public async Task Server_serves_100_clients_at_once_each_getting_its_own_bytes()
    {
        await using var server = await EchoServers.StartAsync();
        const int clientCount = 100;

        // Every client connects before any sends: a server that serves one client
        // at a time (awaiting each before the next Accept) answers only the first.
        var clients = await Task.WhenAll(Enumerable.Range(0, clientCount).Select(_ => server.ConnectAsync()));
        try
        {
            var payloads = Enumerable.Range(0, clientCount).Select(Payload).ToArray();
            var echoes = await Task.WhenAll(clients.Select(async (client, i) =>
            {
                var sending = client.SendBytesAsync(payloads[i], Limits.Network, $"client {i}'s bytes to be sent", server.Story);
                var echo = await client.ReceiveBytesAsync(payloads[i].Length, Limits.Network,
                    $"client {i}'s echo ({clientCount} clients are connected at once; each accepted socket needs its own task)",
                    server.Story);
                await sending;
                return echo;
            }));

            for (int i = 0; i < clientCount; i++)
                Expect.SameBytes(echoes[i], payloads[i], $"Client {i}'s echo, with {clientCount} clients connected at once",
                    "Notebook 01 §3: echo on the socket you received from, one task per client");
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
        await server.ConnectionCountBecomes(0, $"all {clientCount} clients closed");
    }

    [Fact, Graded(1)]
    public async Task Server_echoes_1_MiB_intact()
    {
        await using var server = await EchoServers.StartAsync();
        using var client = await server.ConnectAsync();
        var payload = new byte[1 << 20];
        new Random(2024).NextBytes(payload);

        // Send and receive at the same time, or the two directions' buffers fill up and wait for each other.
        var sending = client.SendBytesAsync(payload, Limits.Network, "1 MiB to be sent (the server must keep reading)", server.Story);
        var echo = await client.ReceiveBytesAsync(payload.Length, Limits.Network, "the echo of 1 MiB", server.Story);
        await sending;

        Expect.SameBytes(echo, payload, "The echo of 1 MiB",
            "Notebook 01 §5: a receive returns whatever has arrived; send back exactly those n bytes, all of them (SendAllAsync)");
    }

    [Fact, Graded(1)]
    public async Task Server_echoes_until_the_client_half_closes_then_sends_its_own_FIN()
    {
        await using var server = await EchoServers.StartAsync();
        using var client = await server.ConnectAsync();
        var words = "last words\n"u8.ToArray();
        await client.SendBytesAsync(words, Limits.Network, "\"last words␊\" to be sent", server.Story);

        client.Shutdown(SocketShutdown.Send); // our FIN: we send nothing more, but still read
        var rest = await client.ReceiveToEndAsync(1024, Limits.Network,
            "the echo and then the server's FIN (a 0-byte read) after our Shutdown(Send): the server must see its 0-byte read, " +
            "finish the echo and close its side", server.Story);

        Expect.SameBytes(rest, words, "What came back before the server's FIN", "Notebook 01 §3 and §4 (half-close)", server.Story);
        await server.ConnectionCountBecomes(0, "the half-closed connection to be finished");
    }

    [Fact, Graded(1)]
    public async Task ConnectionCount_follows_clients_coming_and_going()
    {
        await using var server = await EchoServers.StartAsync();
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var client = await server.ConnectAsync();
                clients.Add(client);
                await EchoOnce(server, client, $"ping {i}\n");
            }
            await server.ConnectionCountBecomes(3, "3 clients connected and echoed");

            clients[0].Dispose();
            clients[1].Dispose();
            await server.ConnectionCountBecomes(1, "2 of the 3 clients closed (the server sees a 0-byte read and closes too)");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
        await server.ConnectionCountBecomes(0, "every client closed");
    }

    internal static async Task EchoOnce(LoopbackServer<EchoServer> server, Socket client, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await client.SendBytesAsync(bytes, Limits.Network, $"{Visible.Quoted(bytes)} to be sent", server.Story);
        var echo = await client.ReceiveBytesAsync(bytes.Length, Limits.Network, $"the echo of {Visible.Quoted(bytes)}", server.Story);
        Expect.SameBytes(echo, bytes, $"The echo of {Visible.Quoted(bytes)}", "Notebook 01 §3", server.Story);
    }

    private static byte[] Payload(int client)
    {
        // Distinct per client (its number, then bytes from a seed of its own,
        // lengths that differ), binary on purpose: 0x00 and '\n' are just bytes.
        var head = Encoding.ASCII.GetBytes($"client {client:000}: ");
        var body = new byte[200 + client * 17];
        new Random(client).NextBytes(body);
        return [.. head, .. body];
    }
}
