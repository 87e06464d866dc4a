namespace Lab01.SocketEcho.Tests;

/// <summary>Bounds of the waits in these tests: far above what loopback needs, short enough to fail fast.</summary>
internal static class Limits
{
    /// <summary>Any single network wait: a connect, an echo, a FIN.</summary>
    public static readonly TimeSpan Network = 5.Seconds();
}
