using System.Net;
using System.Net.Sockets;

namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// Why servers set SO_REUSEADDR: the TIME_WAIT of a connection the server
/// closed first holds its port (notebook 02 §5; RFC 9293 §3.6). PortReuse is
/// code given with the lab; this test checks what the notebook says of Linux.
/// </summary>
public class PortReuseTests
{
    [SkippableFact]
    public async Task A_port_held_by_TIME_WAIT_can_be_bound_again_only_with_SO_REUSEADDR()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "PortReuse calls Linux's bind(2) itself.");
        var server = await CloseServerFirstAsync();

        Check.Equal(PortReuse.TryBind(server, reuseAddress: false), SocketError.AddressAlreadyInUse, $"bind(2) of {server} without SO_REUSEADDR",
            "The server's end of a connection it closed first is in TIME_WAIT on that port. Notebook 02 §5.");
        Check.Equal(PortReuse.TryBind(server, reuseAddress: true), SocketError.Success, $"bind(2) of {server} with SO_REUSEADDR",
            "SO_REUSEADDR lets bind take a port that only TIME_WAIT holds. Notebook 02 §5.");
    }

    /// <summary>A connection whose server closes first, then the listener: the server's end stays in TIME_WAIT.</summary>
    private static async Task<IPEndPoint> CloseServerFirstAsync()
    {
        using var pair = await TcpPair.OpenAsync();
        pair.Server.Shutdown(SocketShutdown.Send);                        // FIN from the server: the active closer
        await pair.Client.ReceiveToEndAsync(0, Loopback.DefaultBound, "the server's FIN");
        pair.Client.Dispose();                                            // FIN from the client: the server's end enters TIME_WAIT
        var serverEnd = Hex(pair.ServerEnd);
        await Eventually.TrueAsync(
            () => pair.RawLines().Any(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, _, "06", ..] && local == serverEnd),
            Loopback.DefaultBound, "the server's end to be in TIME_WAIT (state 06)", pair.KernelLines);
        return pair.ServerEnd;
    }

    /// <summary>"0100007F:A2C4": an IPv4 endpoint as /proc/net/tcp writes it (on this machine's byte order).</summary>
    private static string Hex(IPEndPoint endpoint) =>
        $"{BitConverter.ToUInt32(endpoint.Address.GetAddressBytes()):X8}:{endpoint.Port:X4}";
}
