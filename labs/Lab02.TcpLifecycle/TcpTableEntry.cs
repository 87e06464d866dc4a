using System.Net;

namespace Lab02.TcpLifecycle;

/// <summary>
/// One connection as the kernel's table shows it: a pair of sockets and a state.
/// A connection between two sockets on this machine shows twice, once from each
/// end (local and remote swapped), each end with its own state.
/// </summary>
public sealed record TcpTableEntry(IPEndPoint Local, IPEndPoint Remote, TcpState State)
{
    /// <summary>"127.0.0.1:40000 → 127.0.0.1:5000 ESTABLISHED".</summary>
    public override string ToString() => $"{Local} → {Remote} {State.Name()}";
}
