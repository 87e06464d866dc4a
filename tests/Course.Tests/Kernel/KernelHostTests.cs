using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Course.Kernel;
using Course.Notebooks;
using NetMQ;
using NetMQ.Sockets;

namespace Course.Tests.Kernel;

/// <summary>The kernel's sockets with garbage on them: a log line per bad message, and the kernel keeps answering.</summary>
[Collection(NotebookCollection.Name)] // the engine captures the console
public class KernelHostTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Garbage_and_forged_frames_are_logged_and_dropped_and_a_good_request_is_still_answered()
    {
        var connection = new ConnectionInfo("tcp", "127.0.0.1", FreePort(), FreePort(), FreePort(), FreePort(), FreePort(), "secret");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var engine = new NotebookEngine(new EngineOptions(TestRepo.Samples));
        using var host = new KernelHost(connection, log.Enqueue);
        using var core = new KernelCore(engine, host, log.Enqueue);
        var running = host.RunAsync(core);

        using var shell = new DealerSocket();
        shell.Options.Linger = TimeSpan.Zero;
        shell.Connect(connection.Address(connection.ShellPort));
        var signer = MessageSigner.FromKey(connection.Key);
        shell.SendMultipartBytes([Encoding.UTF8.GetBytes("hello")]);                                           // no delimiter
        shell.SendMultipartBytes([WireFormat.Delimiter, Encoding.UTF8.GetBytes("sig")]);                        // truncated
        shell.SendMultipartBytes(WireFormat.Encode(KernelInfo(), MessageSigner.FromKey("wrong")));             // forged
        var good = KernelInfo();
        shell.SendMultipartBytes(WireFormat.Encode(good, signer));

        var frames = await Task.Run(() =>
        {
            var received = new List<byte[]>();
            return shell.TryReceiveMultipartBytes(TimeSpan.FromSeconds(10), ref received) ? received : null;
        }).Within(15.Seconds(), "the kernel_info_reply on the shell socket");
        frames.ShouldNotBeNull($"no kernel_info_reply within 10 s; kernel log:\n{string.Join("\n", log)}");
        var reply = WireFormat.Decode(frames, signer).Message.ShouldNotBeNull("the reply must be signed with the connection key");
        reply.Type.ShouldBe("kernel_info_reply");
        reply.ParentHeader["msg_id"]!.GetValue<string>().ShouldBe(good.Id);

        log.ShouldContain("dropped a message on shell: no <IDS|MSG> delimiter among its 2 frames"); // ROUTER adds the identity frame
        log.ShouldContain(l => l.StartsWith("dropped a message on shell: truncated: 1 frames after <IDS|MSG>", StringComparison.Ordinal));
        log.ShouldContain("dropped a message on shell: bad signature (HMAC-SHA256 with the connection file's key does not match)");

        core.HandleControl(JupyterMessage.Create("shutdown_request", [], "test") with { Channel = Channel.Control });
        (await running.Within(10.Seconds(), "the kernel to stop after shutdown_request")).ShouldBe(0);
    }

    private static JupyterMessage KernelInfo() => JupyterMessage.Create("kernel_info_request", new JsonObject(), "test-client");
}
