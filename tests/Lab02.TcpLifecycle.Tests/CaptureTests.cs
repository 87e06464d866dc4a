namespace Lab02.TcpLifecycle.Tests;

/// <summary>
/// Real segments, captured on the loopback device while a connection opens,
/// carries "hello" and closes (notebook 02 §6). These need capture privileges:
/// without them they skip, and say how to run them; with CI=true they must run.
/// </summary>
public class CaptureTests
{
    [SkippableFact]
    public async Task Captured_ladder_of_a_four_segment_close_matches_the_snapshot()
    {
        CaptureRequirement.SkipUnlessAvailable();
        var connection = await CloseScenario.RunAsync(CloseForm.FourSegments, Loopback.DefaultBound);
        Ladder.Format(connection.Segments).ShouldMatchSnapshot(Ports(connection));
    }

    [SkippableFact]
    public async Task Captured_ladder_of_a_merged_close_matches_the_snapshot()
    {
        CaptureRequirement.SkipUnlessAvailable();
        var connection = await CloseScenario.RunAsync(CloseForm.Merged, Loopback.DefaultBound);
        Ladder.Format(connection.Segments).ShouldMatchSnapshot(Ports(connection));
    }

    private static Func<string, string> Ports(CapturedConnection connection) =>
        Scrub.ClientServerPorts(connection.Client.Port, connection.Server.Port);
}
