using System.Text;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// What the conformance tests share: a server whose /echo they talk to with
/// <see cref="RawClient"/>, byte by byte as RFC 6455 writes them. The
/// families follow the sections of the RFC, in the order of the Autobahn
/// testsuite's (1 framing, 2 ping/pong, 3 reserved bits, 4 opcodes,
/// 5 fragmentation, 6 UTF-8, 7 close, 9 limits); the cases are the tests'
/// own, written from the RFC. Every failure case checks the close code and
/// then that the server closes TCP.
/// </summary>
internal static class Conformance
{
    /// <summary>Where a learner looks when a conformance test fails: the server is steps 1-4 (protocol) pumped by steps 8-9.</summary>
    public const string Steps = "steps 1-4 (WebSocketProtocol) and 8-9 (the receive loop and the writer)";

    public const string Read = "Notebook 06 §10 (interop and conformance)";

    /// <summary>
    /// A server with no keepalive (no ping may come between the frames a test
    /// expects) and <paramref name="limits"/>. The close timeout costs nothing
    /// when all goes well (the server closes TCP right after its close frame),
    /// but it also bounds the writing of that frame: 2 s, so a writer stalled
    /// on a busy machine still gets its close frame out before the drop.
    /// </summary>
    public static TestServer Start(FrameLimits? limits = null) => TestServer.Start(new ServerOptions
    {
        WebSocket = new WebSocketOptions
        {
            Limits = limits ?? FrameLimits.Default,
            CloseTimeout = TimeSpan.FromSeconds(2),
            KeepAliveInterval = Timeout.InfiniteTimeSpan,
        },
        ShutdownTimeout = TimeSpan.FromSeconds(1),
    });

    /// <summary>A client upgraded on /echo.</summary>
    public static Task<RawClient> ConnectAsync(TestServer server, FrameLimits? limits = null, byte[]? glued = null) =>
        RawClient.ConnectAsync(server.EndPoint, "/echo", limits, server.Context, glued);

    /// <summary>
    /// The next message must be <paramref name="data"/> with <paramref name="opcode"/>,
    /// byte for byte: /echo sends each message back with its type.
    /// </summary>
    public static async Task ExpectEchoAsync(RawClient client, int opcode, byte[] data, string what, string step = Steps, string why = Read)
    {
        var (type, echoed) = await client.ReceiveMessageAsync($"the echo of {what} ({step})");
        Check.True(type == opcode,
            $"{step}: the echo of {what}: expected a {(opcode == Op.Text ? "text" : "binary")} message, got opcode 0x{type:x}",
            why + ". /echo sends each message back with its type.\n" + client.Story());
        if (!echoed.AsSpan().SequenceEqual(data))
        {
            int at = 0;
            while (at < Math.Min(echoed.Length, data.Length) && echoed[at] == data[at])
                at++;
            Check.Fail($"{step}: the echo of {what} differs from what was sent: {echoed.Length} bytes came for {data.Length}, first difference at byte {at}",
                why + $". Sent near there: {Visible.Escape(data.AsSpan(Math.Min(at, data.Length)), 24)}; echoed: {Visible.Escape(echoed.AsSpan(Math.Min(at, echoed.Length)), 24)}.\n" + client.Story());
        }
    }

    public static Task ExpectTextEchoAsync(RawClient client, string text, string what, string step = Steps, string why = Read) =>
        ExpectEchoAsync(client, Op.Text, Encoding.UTF8.GetBytes(text), what, step, why);

    /// <summary>
    /// On a new connection: sends <paramref name="bytes"/> in one write and
    /// expects the server to fail the connection with <paramref name="code"/>, then close TCP.
    /// </summary>
    public static async Task ExpectFailureAsync(TestServer server, byte[] bytes, int code, string what, string why, string step = Steps, FrameLimits? limits = null)
    {
        await using var client = await ConnectAsync(server, limits);
        await client.SendAsync(bytes, what);
        await client.ExpectFailureAsync(code, what, step, why);
    }
}
