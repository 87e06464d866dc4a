using System.Runtime.InteropServices;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Course.Kernel;

/// <summary>
/// The kernel's five ZeroMQ sockets (Jupyter messaging, "Introduction"),
/// bound where the connection file says, all owned by one NetMQ poller
/// thread: shell and control (ROUTER), stdin (ROUTER), IOPub (PUB), and the
/// heartbeat (REP, echoes whatever it gets). Messages decode and verify here;
/// <see cref="KernelCore"/> decides what to answer. Other threads send
/// through a queue the poller drains, since a ZeroMQ socket is single-threaded.
/// </summary>
public sealed class KernelHost : IKernelTransport, IDisposable
{
    private readonly ConnectionInfo _connection;
    private readonly MessageSigner _signer;
    private readonly Action<string> _log;
    private readonly RouterSocket _shell = new();
    private readonly RouterSocket _control = new();
    private readonly RouterSocket _stdin = new();
    private readonly PublisherSocket _iopub = new();
    private readonly ResponseSocket _heartbeat = new();
    private readonly NetMQQueue<(Channel Channel, JupyterMessage Message)> _outgoing = new();
    private readonly NetMQPoller _poller;
    private int _pending; // messages queued but not yet on their socket
    private const int MaxSendsPerTurn = 100;
    private KernelCore? _core; // set by RunAsync; gets every verified shell and control request

    public KernelHost(ConnectionInfo connection, Action<string> log)
    {
        _connection = connection;
        _signer = MessageSigner.FromKey(connection.Key);
        _log = log;
        _poller = [_shell, _control, _stdin, _heartbeat, _outgoing];
    }

    /// <summary>Binds the sockets, serves until a shutdown request (or the parent process is gone), and returns the exit code.</summary>
    public async Task<int> RunAsync(KernelCore core)
    {
        _core = core;
        foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
            socket.Options.Linger = TimeSpan.FromSeconds(1); // flush the last replies when closing
        _shell.Bind(_connection.Address(_connection.ShellPort));
        _control.Bind(_connection.Address(_connection.ControlPort));
        _stdin.Bind(_connection.Address(_connection.StdinPort));
        _iopub.Bind(_connection.Address(_connection.IOPubPort));
        _heartbeat.Bind(_connection.Address(_connection.HeartbeatPort));
        if (!_signer.Enabled)
            _log("warning: the connection file has no key, so messages are not signed or verified");

        _shell.ReceiveReady += (_, e) => Receive(e.Socket, Channel.Shell);
        _control.ReceiveReady += (_, e) => Receive(e.Socket, Channel.Control);
        _stdin.ReceiveReady += (_, e) => e.Socket.ReceiveMultipartBytes(); // input replies: this kernel never asks
        _heartbeat.ReceiveReady += (_, e) => e.Socket.SendMultipartBytes(e.Socket.ReceiveMultipartBytes());
        _outgoing.ReceiveReady += (_, e) =>
        {
            // At most a batch per turn, so a cell that outputs without pause cannot starve
            // the other sockets (the interrupt on control, the heartbeat).
            for (var sent = 0; sent < MaxSendsPerTurn && e.Queue.TryDequeue(out var item, TimeSpan.Zero); sent++)
            {
                SendNow(item.Channel, item.Message);
                Interlocked.Decrement(ref _pending);
            }
        };
        _poller.RunAsync("kernel sockets");

        using var stop = new CancellationTokenSource();
        // SIGINT (Ctrl+C, or a client in "signal" interrupt mode) interrupts the cell instead of killing the kernel.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            core.HandleControl(JupyterMessage.Create("interrupt_request", [], core.Session) with { Channel = Channel.Control });
        });
        var shell = core.RunShellAsync(stop.Token);
        core.Start();
        _log($"listening on {_connection.Address(_connection.ShellPort)} (shell) and the ports after it");

        await Task.WhenAny(core.ShutdownRequested, ParentGone(stop.Token));
        core.InterruptExecution(); // a running cell or build must not keep the kernel alive
        await FlushAsync(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        try
        {
            await shell.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            _log("a request was still being handled after 5 s; exiting anyway");
        }
        _poller.Stop();
        return 0;
    }

    public void Send(Channel channel, JupyterMessage message)
    {
        Interlocked.Increment(ref _pending);
        _outgoing.Enqueue((channel, message));
    }

    private void Receive(NetMQSocket socket, Channel channel)
    {
        // On the poller thread: an exception here would end the kernel, so none escapes.
        try
        {
            Dispatch(socket.ReceiveMultipartBytes(), channel);
        }
        catch (Exception e)
        {
            _log($"a message on {channel.ToString().ToLowerInvariant()} failed inside the kernel: {e}");
        }
    }

    private void Dispatch(List<byte[]> frames, Channel channel)
    {
        var decoded = WireFormat.Decode(frames, _signer);
        if (decoded.Message is not { } message)
        {
            _log($"dropped a message on {channel.ToString().ToLowerInvariant()}: {decoded.Error}");
            return;
        }
        message = message with { Channel = channel };
        if (channel == Channel.Control)
            _core!.HandleControl(message);
        else
            _core!.EnqueueShell(message);
    }

    private void SendNow(Channel channel, JupyterMessage message)
    {
        var socket = channel switch
        {
            Channel.Shell => (NetMQSocket)_shell,
            Channel.Control => _control,
            Channel.Stdin => _stdin,
            _ => _iopub,
        };
        if (channel == Channel.IOPub && message.Identities.Count == 0)
            message = message with { Identities = [Encoding.UTF8.GetBytes($"kernel.{message.Session}.{message.Type}")] }; // the PUB topic
        try
        {
            socket.SendMultipartBytes(WireFormat.Encode(message, _signer));
        }
        catch (Exception e)
        {
            _log($"could not send {message.Type} on {channel.ToString().ToLowerInvariant()}: {e.Message}");
        }
    }

    /// <summary>Waits (bounded) until the queued messages, the shutdown reply among them, are on their sockets.</summary>
    private async Task FlushAsync(TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (Volatile.Read(ref _pending) > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
    }

    /// <summary>
    /// Jupyter clients set JPY_PARENT_PID: when that process is gone (the
    /// editor crashed), the kernel exits rather than run on as an orphan.
    /// </summary>
    private async Task ParentGone(CancellationToken stop)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("JPY_PARENT_PID"), out var pid) || pid <= 1)
        {
            await Task.Delay(Timeout.Infinite, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), stop).ContinueWith(_ => { }, TaskScheduler.Default);
            try
            {
                using var parent = System.Diagnostics.Process.GetProcessById(pid);
                if (parent.HasExited)
                    break;
            }
            catch (ArgumentException)
            {
                break;
            }
        }
        if (!stop.IsCancellationRequested)
            _log($"the parent process {pid} is gone: shutting down");
    }

    public void Dispose()
    {
        _poller.Dispose();
        foreach (var socket in new NetMQSocket[] { _shell, _control, _stdin, _iopub, _heartbeat })
            socket.Dispose();
        _outgoing.Dispose();
        NetMQConfig.Cleanup(block: false);
    }
}
