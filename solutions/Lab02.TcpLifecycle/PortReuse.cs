using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Lab02.TcpLifecycle;

/// <summary>
/// bind(2) as a C server calls it, with or without SO_REUSEADDR (Linux only;
/// notebook 02 §5). .NET cannot show the difference by itself: on Linux its
/// <see cref="Socket.Bind"/> always sets SO_REUSEADDR first.
/// </summary>
/// <remarks>
/// Without SO_REUSEADDR, Linux refuses to bind a port that a connection in
/// TIME_WAIT still uses (EADDRINUSE): a server that closed its connections
/// first cannot restart on its port for 2×MSL (60 s on Linux). With it, the
/// bind succeeds; only a socket still LISTENing on the port keeps it.
/// </remarks>
public static class PortReuse
{
    private const int SolSocket = 1;   // SOL_SOCKET (Linux)
    private const int SoReuseAddr = 2; // SO_REUSEADDR (Linux)
    private const int EAddrInUse = 98; // EADDRINUSE (Linux)

    /// <summary>
    /// Creates a TCP socket, sets SO_REUSEADDR to <paramref name="reuseAddress"/>, binds it to
    /// <paramref name="endpoint"/> (IPv4) with libc's bind(2), closes it, and says how the bind went.
    /// </summary>
    /// <returns><see cref="SocketError.Success"/> or <see cref="SocketError.AddressAlreadyInUse"/> (or another error).</returns>
    /// <exception cref="PlatformNotSupportedException">Not Linux.</exception>
    public static SocketError TryBind(IPEndPoint endpoint, bool reuseAddress)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("PortReuse calls Linux's bind(2) directly; on other systems, read notebook 02 §5.");
        if (endpoint.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException("PortReuse binds IPv4 endpoints only.", nameof(endpoint));

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        int on = reuseAddress ? 1 : 0;
        if (SetSockOpt(fd, SolSocket, SoReuseAddr, ref on, sizeof(int)) != 0)
            return FromErrno(Marshal.GetLastPInvokeError());
        var address = SockAddrIn(endpoint);
        return Bind(fd, address, address.Length) == 0 ? SocketError.Success : FromErrno(Marshal.GetLastPInvokeError());
    }

    /// <summary>struct sockaddr_in: family (machine order), port (network order), address (network order), 8 zero bytes.</summary>
    private static byte[] SockAddrIn(IPEndPoint endpoint)
    {
        var bytes = new byte[16];
        BitConverter.GetBytes((ushort)AddressFamily.InterNetwork).CopyTo(bytes, 0);
        bytes[2] = (byte)(endpoint.Port >> 8);
        bytes[3] = (byte)endpoint.Port;
        endpoint.Address.GetAddressBytes().CopyTo(bytes, 4);
        return bytes;
    }

    private static SocketError FromErrno(int errno) =>
        errno == EAddrInUse ? SocketError.AddressAlreadyInUse : SocketError.SocketError;

    [DllImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static extern int SetSockOpt(int fd, int level, int name, ref int value, int length);

    [DllImport("libc", EntryPoint = "bind", SetLastError = true)]
    private static extern int Bind(int fd, byte[] address, int length);
}
