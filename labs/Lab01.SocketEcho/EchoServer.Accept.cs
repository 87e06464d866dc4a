using System.Net.Sockets;

namespace Lab01.SocketEcho;

/// <summary>The accept loop: one new socket per client, each served on its own task.</summary>
public sealed partial class EchoServer
{
    private readonly object _gate = new();
    private readonly Dictionary<Socket, Task> _connections = [];

    /// <summary>Runs the accept loop and logs how it ended; never throws.</summary>
    private async Task RunAcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        try
        {
            await AcceptClientsAsync(listener, stopping).ConfigureAwait(false);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // StopAsync cancelled the token and closed the listener: the normal end.
        }
        catch (Exception e)
        {
            Emit($"accept loop failed: {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Accepts clients until <paramref name="stopping"/> is cancelled, and serves
    /// each one on its own task, so that a slow or silent client never keeps the
    /// next one waiting.
    /// </summary>
    private async Task AcceptClientsAsync(Socket listener, CancellationToken stopping)
    {
        throw new NotImplementedException("Lab 01 · step 2: loop forever: Socket client = await listener.AcceptAsync(stopping); then serve it on its own task, Track(client, Task.Run(() => ServeClientAsync(client, stopping))), so that one client never keeps the next one waiting. Notebook 01 §3.");
    }

    /// <summary>Remembers an open connection and the task serving it, until that task ends.</summary>
    private void Track(Socket client, Task serving)
    {
        lock (_gate)
            _connections[client] = serving;
        _ = serving.ContinueWith(_ =>
        {
            lock (_gate)
                _connections.Remove(client);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>A copy of the open connections: each client socket and the task serving it.</summary>
    private (Socket Client, Task Serving)[] OpenConnections()
    {
        lock (_gate)
            return _connections.Select(c => (c.Key, c.Value)).ToArray();
    }
}
