namespace Course.Tests.Testing;

/// <summary><see cref="Eventually.TrueAsync"/>: polls a condition, within a bound.</summary>
public class EventuallyTests
{
    [Fact]
    public async Task TrueAsync_returns_once_the_condition_becomes_true()
    {
        int connections = 3;
        _ = Task.Run(async () =>
        {
            await Task.Delay(30);
            Volatile.Write(ref connections, 0);
        });

        await Eventually.TrueAsync(() => Volatile.Read(ref connections) == 0, 5.Seconds(), "the connection count to drop to 0");

        Volatile.Read(ref connections).ShouldBe(0);
    }

    [Fact]
    public void TrueAsync_returns_at_once_when_the_condition_already_holds()
        => Eventually.TrueAsync(() => true, 5.Seconds(), "nothing").IsCompletedSuccessfully.ShouldBeTrue();

    [Fact]
    public async Task TrueAsync_times_out_with_a_message_naming_what_was_awaited()
    {
        int connections = 3;

        var e = await Should.ThrowAsync<TimeoutException>(() => Eventually.TrueAsync(
            () => connections == 0, 50.Milliseconds(), "the connection count to drop to 0", () => $"it is still {connections}"));

        e.Message.ShouldBe("Timed out after 50 ms waiting for the connection count to drop to 0." + Environment.NewLine + "it is still 3");
    }
}
