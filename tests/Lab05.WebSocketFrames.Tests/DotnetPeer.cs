using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// .NET's own WebSocket (<see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>)
/// at one end of an in-memory connection, raw bytes at the other: the test
/// reads what .NET writes (<see cref="ReadFrameAsync"/>, through the lab's
/// decoder) and writes bytes for .NET to read (<see cref="WriteAsync"/>). No
/// socket and no handshake: CreateFromStream starts where the handshake ended.
/// Every wait is bounded by <see cref="Bound"/> and says what it waited for.
/// </summary>
internal sealed class DotnetPeer : IAsyncDisposable
{
    /// <summary>How long any one step may take; everything is in memory, so far more than enough.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    // pauseWriterThreshold 0: a writer never waits for the reader, so a 64 KiB
    // message can be written before the other side starts reading.
    private static readonly PipeOptions Options = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false);

    private readonly Pipe toDotnet = new(Options);
    private readonly Pipe fromDotnet = new(Options);
    private byte[] pending = [];   // bytes from .NET not yet given to a decoder
    private int pendingAt;

    /// <param name="dotnetRole">Which end .NET plays: <see cref="Role.Client"/> masks what it sends, <see cref="Role.Server"/> does not.</param>
    public DotnetPeer(Role dotnetRole)
    {
        Role = dotnetRole;
        var stream = new DuplexPipeStream(toDotnet.Reader, fromDotnet.Writer);
        Socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
        {
            IsServer = dotnetRole == Role.Server,
            KeepAliveInterval = TimeSpan.Zero, // no pings of its own: the bytes are only what the test asks for
        });
    }

    /// <summary>The end .NET plays.</summary>
    public Role Role { get; }

    /// <summary>.NET's WebSocket.</summary>
    public WebSocket Socket { get; }

    /// <summary>Every byte .NET wrote that the test has read so far.</summary>
    public MemoryStream Captured { get; } = new();

    /// <summary>What the test gave .NET last (one or more frames), for messages.</summary>
    public byte[] LastWritten { get; private set; } = [];

    /// <summary>".NET's client" or ".NET's server", for messages.</summary>
    public string Name => $".NET's {Role.ToString().ToLowerInvariant()}";

    /// <summary>Gives <paramref name="bytes"/> to .NET, as if they came from the network.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, string what)
    {
        LastWritten = bytes.ToArray();
        await toDotnet.Writer.WriteAsync(bytes).Within(Bound, $"the test to write {what} for {Name}");
    }

    /// <summary>
    /// Ends the bytes for .NET, as a server closes TCP after the closing
    /// handshake (RFC 6455 §7.1.1). Without it .NET's client, once the close
    /// frames are exchanged, waits a second for the server to close.
    /// </summary>
    public void EndOfStream() => toDotnet.Writer.Complete();

    /// <summary>.NET's SendAsync, bounded.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, bool endOfMessage, string what)
    {
        await Socket.SendAsync(data, type, endOfMessage, CancellationToken.None).Within(Bound, $"{Name} to send {what} (SendAsync)");
    }

    /// <summary>
    /// Reads bytes .NET wrote into <paramref name="decoder"/> until it yields a
    /// frame. Bytes after that frame are kept for the next call.
    /// </summary>
    public async Task<Frame> ReadFrameAsync(FrameDecoder decoder, string what)
    {
        while (true)
        {
            while (pendingAt < pending.Length)
            {
                int used = decoder.Decode(pending.AsSpan(pendingAt), out var frame);
                pendingAt += used;
                if (frame is not null)
                    return frame;
            }
            if (!await FillAsync(what))
                throw new InvalidOperationException($"{Name} closed its side of the stream while the test waited for {what}.");
        }
    }

    /// <summary>Waits for the next bytes from .NET into <see cref="pending"/>; false when .NET closed its side.</summary>
    private async Task<bool> FillAsync(string what)
    {
        var result = await fromDotnet.Reader.ReadAsync().Within(Bound, $"the bytes of {what} from {Name}",
            () => $"{Captured.Length} bytes came from {Name} before: {PayloadExpect.Show(Captured.ToArray())}");
        pending = result.Buffer.ToArray();
        pendingAt = 0;
        fromDotnet.Reader.AdvanceTo(result.Buffer.End);
        Captured.Write(pending);
        return pending.Length > 0 || !result.IsCompleted;
    }

    /// <summary>The next <paramref name="count"/> bytes .NET writes, raw (no decoder: for tests of .NET alone).</summary>
    public async Task<byte[]> ReadBytesAsync(int count, string what)
    {
        var bytes = new List<byte>();
        while (bytes.Count < count)
        {
            if (pendingAt == pending.Length && !await FillAsync(what))
                throw new InvalidOperationException($"{Name} closed its side of the stream while the test waited for {what}.");
            int take = Math.Min(count - bytes.Count, pending.Length - pendingAt);
            bytes.AddRange(pending.AsSpan(pendingAt, take));
            pendingAt += take;
        }
        return bytes.ToArray();
    }

    /// <summary>.NET's ReceiveAsync, in a loop until the end of a message (or a close frame).</summary>
    /// <param name="what">What is expected, for messages.</param>
    /// <param name="explainRefusal">When .NET refuses the bytes (a WebSocketException), fail with the bytes written and a hint; false lets the exception out.</param>
    public async Task<DotnetMessage> ReceiveMessageAsync(string what, bool explainRefusal = true)
    {
        var data = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await Socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).Within(Bound, $"{Name} to receive {what} (ReceiveAsync)",
                    () => $"The test last wrote {PayloadExpect.Show(LastWritten)} for {Name}: does a header announce more bytes than follow?");
            }
            catch (WebSocketException e) when (explainRefusal)
            {
                Check.Fail($"step 3: {Name} refused {what}: \"{e.Message}\"",
                    $"Notebook 05 §9; RFC 6455 §5.1-§5.3. .NET checks frames as the RFC says (a server's frames unmasked, a client's masked, control frames short and whole). " +
                    $"The test last wrote {PayloadExpect.Show(LastWritten)} for {Name}.");
                throw;
            }
            data.Write(buffer, 0, result.Count);
            if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
                return new DotnetMessage(result.MessageType, data.ToArray());
        }
    }

    public ValueTask DisposeAsync()
    {
        Socket.Abort();
        Socket.Dispose();
        toDotnet.Writer.Complete();
        fromDotnet.Reader.Complete();
        return ValueTask.CompletedTask;
    }

    /// <summary>A Stream whose reads come from one pipe and whose writes go to another: one end of a connection.</summary>
    private sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream reads = input.AsStream();
        private readonly Stream writes = output.AsStream();

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => reads.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => reads.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => reads.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => writes.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => writes.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => writes.WriteAsync(buffer, offset, count, cancellationToken);
        public override void Flush() => writes.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => writes.FlushAsync(cancellationToken);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                reads.Dispose();
                writes.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}

/// <summary>What .NET's ReceiveAsync loop returned: the message's type and all its bytes.</summary>
internal sealed record DotnetMessage(WebSocketMessageType Type, byte[] Data);
