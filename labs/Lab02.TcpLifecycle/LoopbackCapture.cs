using System.Net;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Lab02.TcpLifecycle;

/// <summary>
/// Captures the TCP segments to and from one port on the loopback device, with
/// libpcap (what tcpdump and Wireshark use), for the ladder of notebook 02 §6.
/// </summary>
/// <remarks>
/// <para>Capturing needs privileges: root, or the capabilities cap_net_raw and
/// cap_net_admin on the program (the dotnet host), and libpcap itself
/// (Debian/Ubuntu: libpcap0.8). <see cref="WhyUnavailable"/> says what is missing.</para>
/// <para>Start the capture before the client connects, so the SYN is in it, and
/// wait for the segments you expect with <see cref="WaitForAsync"/>: they are read
/// on a thread of the capture's own, a little after they were sent.</para>
/// <para>That thread is a dedicated one, not one of the thread pool: SharpPcap's own
/// StartCapture would hold a pool thread for as long as the capture runs, and on a
/// 2-core machine the awaits of the connection being captured would then wait for
/// the pool to grow (half a second, visible in the ladder's times).</para>
/// </remarks>
public sealed class LoopbackCapture : IDisposable
{
    private static readonly Lazy<string?> Unavailable = new(Probe);
    private readonly LibPcapLiveDevice _device;
    private readonly object _gate = new();
    private readonly List<TcpSegment> _segments = [];
    private readonly Thread _reader;
    private DateTime? _first;
    private volatile bool _stopping;
    private volatile string? _failure;

    private LoopbackCapture(LibPcapLiveDevice device, int port)
    {
        _device = device;
        Port = port;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = $"LoopbackCapture port {port}" };
    }

    /// <summary>The port whose segments are captured (BPF filter "tcp port N").</summary>
    public int Port { get; }

    /// <summary>The segments captured so far, in order.</summary>
    public IReadOnlyList<TcpSegment> Segments
    {
        get
        {
            lock (_gate)
                return _segments.ToArray();
        }
    }

    /// <summary>
    /// Null when this process can capture on the loopback device; otherwise what
    /// is missing (libpcap, the device, or the privileges), in one sentence.
    /// </summary>
    public static string? WhyUnavailable() => Unavailable.Value;

    /// <summary>
    /// How the device is opened: MaxResponsiveness is libpcap's immediate mode,
    /// each packet handed over as it comes instead of waiting for a buffer to fill.
    /// </summary>
    private static DeviceConfiguration Immediate => new() { Mode = DeviceModes.MaxResponsiveness, ReadTimeout = 10 };

    /// <summary>Starts capturing the TCP segments to or from <paramref name="port"/> on the loopback device.</summary>
    /// <exception cref="InvalidOperationException">Capture is not possible here; the message says why (<see cref="WhyUnavailable"/>).</exception>
    public static LoopbackCapture Start(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        if (WhyUnavailable() is { } why)
            throw new InvalidOperationException($"Cannot capture packets: {why}");
        // A device list of our own: two captures at once must not share one device object.
        var device = FindLoopback(LibPcapLiveDeviceList.New())!;
        device.Open(Immediate);
        try
        {
            device.Filter = $"tcp port {port}";
        }
        catch
        {
            device.Close();
            throw;
        }
        var capture = new LoopbackCapture(device, port);
        capture._reader.Start(); // from here on, only the reader thread touches the device
        return capture;
    }

    /// <summary>
    /// Waits until <paramref name="done"/> holds for the segments captured so far, and returns them.
    /// </summary>
    /// <exception cref="TimeoutException">Not within <paramref name="bound"/>; the message names <paramref name="what"/> and lists what came.</exception>
    public async Task<IReadOnlyList<TcpSegment>> WaitForAsync(Func<IReadOnlyList<TcpSegment>, bool> done, TimeSpan bound, string what)
    {
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            var segments = Segments;
            if (done(segments))
                return segments;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException(FormattableString.Invariant(
                    $"Timed out after {bound.TotalSeconds:0.#} s waiting for {what} in the capture of port {Port}.{(_failure is { } f ? " The capture failed: " + f : "")} Captured:\n") +
                    (segments.Count == 0 ? "  (nothing)" : string.Join("\n", segments.Select(s => "  " + s))));
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops the capture. The reader thread closes the device as soon as its current
    /// read returns (within half a second); segments after this call are not kept.
    /// </summary>
    public void Dispose() => _stopping = true;

    /// <summary>Reads packets until <see cref="Dispose"/>, then closes the device.</summary>
    private void ReadLoop()
    {
        try
        {
            while (!_stopping)
            {
                // Waits at most 500 ms (SharpPcap polls the descriptor), so a stop is noticed.
                var status = _device.GetNextPacket(out var packet);
                if (status == GetPacketStatus.PacketRead && !_stopping)
                    Add(packet.GetPacket());
                else if (status is GetPacketStatus.Error or GetPacketStatus.NoRemainingPackets)
                    throw new IOException($"reading from {_device.Name} failed ({status}): {_device.LastError}");
            }
        }
        catch (Exception e)
        {
            // An exception would end the whole process on this thread: keep it for WaitForAsync to tell.
            _failure = $"{e.GetType().Name}: {e.Message}";
        }
        finally
        {
            _device.Close();
        }
    }

    private void Add(RawCapture raw)
    {
        if (Decode(raw) is not { } segment)
            return;
        lock (_gate)
        {
            _first ??= raw.Timeval.Date;
            _segments.Add(segment with { Time = raw.Timeval.Date - _first.Value });
        }
    }

    /// <summary>The TCP segment in a captured frame, or null if it holds none.</summary>
    private static TcpSegment? Decode(RawCapture raw)
    {
        var packet = Packet.ParsePacket(raw.LinkLayerType, raw.Data);
        if (packet.Extract<IPPacket>() is not { } ip || packet.Extract<TcpPacket>() is not { } tcp)
            return null;
        var flags = TcpFlags.None;
        if (tcp.Finished) flags |= TcpFlags.Fin;
        if (tcp.Synchronize) flags |= TcpFlags.Syn;
        if (tcp.Reset) flags |= TcpFlags.Rst;
        if (tcp.Push) flags |= TcpFlags.Psh;
        if (tcp.Acknowledgment) flags |= TcpFlags.Ack;
        if (tcp.Urgent) flags |= TcpFlags.Urg;
        return new TcpSegment(
            new IPEndPoint(ip.SourceAddress, tcp.SourcePort),
            new IPEndPoint(ip.DestinationAddress, tcp.DestinationPort),
            flags,
            tcp.SequenceNumber,
            tcp.AcknowledgmentNumber,
            tcp.PayloadData ?? []);
    }

    /// <summary>Linux's "lo", macOS's "lo0", Npcap's loopback adapter on Windows.</summary>
    private static LibPcapLiveDevice? FindLoopback(IEnumerable<LibPcapLiveDevice> devices) =>
        devices.FirstOrDefault(d => d.Name is "lo" or "lo0" || d.Name.EndsWith("NPF_Loopback", StringComparison.OrdinalIgnoreCase));

    /// <summary>Tries, once per process, to open the loopback device for capture.</summary>
    private static string? Probe()
    {
        LibPcapLiveDevice? device;
        try
        {
            device = FindLoopback(LibPcapLiveDeviceList.New());
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            // .NET's message goes on for lines about LD_DEBUG; its first sentence says it all.
            var message = e.GetBaseException().Message;
            int end = message.IndexOf(". ", StringComparison.Ordinal);
            return $"libpcap cannot be loaded ({(end < 0 ? message : message[..(end + 1)])}); install it (Debian/Ubuntu: apt-get install libpcap0.8; Windows: Npcap).";
        }
        if (device is null)
            return "libpcap lists no loopback device (lo, lo0 or NPF_Loopback).";
        try
        {
            device.Open(Immediate); // the same way Start opens it
            device.Close();
            return null;
        }
        catch (PcapException e)
        {
            return $"cannot open {device.Name} for capture ({e.Message.Trim()}): capturing needs root, or cap_net_raw and cap_net_admin on the dotnet host.";
        }
    }
}
