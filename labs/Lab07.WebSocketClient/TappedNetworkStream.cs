using System.Net.Sockets;

namespace Lab07.WebSocketClient;

/// <summary>
/// A <see cref="NetworkStream"/> that shows every byte read and written to a
/// tap, for transcripts. It stays a NetworkStream, so the pump can still
/// half-close its socket (Lab 06, CloseOutputIfOurs).
/// </summary>
internal sealed class TappedNetworkStream(Socket socket, Action<WireDirection, ReadOnlyMemory<byte>> tap) : NetworkStream(socket, ownsSocket: true)
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await base.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
            tap(WireDirection.Received, buffer[..n].ToArray());
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!buffer.IsEmpty)
            tap(WireDirection.Sent, buffer.ToArray());
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}
