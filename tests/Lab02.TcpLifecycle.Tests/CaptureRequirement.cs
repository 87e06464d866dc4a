namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// Capture tests run where libpcap and the privileges are there; elsewhere they
/// skip with the way to run them, except in CI (CI=true), where a skip would
/// hide an untested feature (COURSE.md, "Tests"), so they fail instead.
/// </summary>
internal static class CaptureRequirement
{
    public static void SkipUnlessAvailable()
    {
        if (LoopbackCapture.WhyUnavailable() is not { } why)
            return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"CI=true, so this capture test must run, not skip, and it cannot capture: {why} (.ci/run installs libpcap0.8 and runs as root.)");
        Skip.If(true,
            $"Packet capture is not available here: {why} To run the capture tests: as root (sudo dotnet test tests/Lab02.TcpLifecycle.Tests); " +
            "or give the dotnet host the capabilities once: sudo setcap cap_net_raw,cap_net_admin=eip \"$(readlink -f \"$(command -v dotnet)\")\"; " +
            "or watch the same segments in Wireshark or tshark (tshark -i lo -f 'tcp port PORT') while notebook 02 §6 runs.");
    }
}
