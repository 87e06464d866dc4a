using System.Diagnostics;

namespace Course.Tests.Testing;

/// <summary><see cref="Bounded.RunAsync{T}"/>: a deadline that also stops the work, through its token.</summary>
public class BoundedTests
{
    [Fact]
    public async Task RunAsync_returns_the_operation_s_result_in_time()
    {
        var result = await Bounded.RunAsync(5.Seconds(), "the answer", async ct =>
        {
            await Task.Delay(10, ct);
            return 42;
        });

        result.ShouldBe(42);
    }

    [Fact]
    public async Task RunAsync_cancels_the_operation_s_token_at_the_bound()
    {
        CancellationToken seen = default;
        bool stoppedByToken = false;
        var clock = Stopwatch.StartNew();

        var e = await Should.ThrowAsync<TimeoutException>(() => Bounded.RunAsync(100.Milliseconds(), "a receive that never ends", async ct =>
        {
            seen = ct;
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                stoppedByToken = true;
                throw;
            }
        }, () => "0 of 5 bytes had arrived"));

        e.Message.ShouldBe("Timed out after 100 ms waiting for a receive that never ends." + Environment.NewLine + "0 of 5 bytes had arrived");
        seen.IsCancellationRequested.ShouldBeTrue();
        // The work itself ended, not only the wait for it.
        stoppedByToken.ShouldBeTrue();
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(90.Milliseconds());
    }

    [Fact]
    public async Task RunAsync_still_times_out_when_the_operation_ignores_its_token()
    {
        var never = new TaskCompletionSource<int>();

        var e = await Should.ThrowAsync<TimeoutException>(() => Bounded.RunAsync(50.Milliseconds(), "a deaf operation", _ => never.Task));

        e.Message.ShouldStartWith("Timed out after ");
        e.Message.ShouldEndWith(" waiting for a deaf operation.");
    }

    [Fact]
    public async Task RunAsync_lets_the_operation_s_own_exception_through()
    {
        var own = new InvalidDataException("bad frame");

        var e = await Should.ThrowAsync<InvalidDataException>(() => Bounded.RunAsync(5.Seconds(), "a frame", async ct =>
        {
            await Task.Delay(10, ct);
            throw own;
        }));

        e.ShouldBeSameAs(own);
    }

    [Fact]
    public async Task RunAsync_lets_a_cancellation_that_is_not_the_deadline_through()
    {
        using var other = new CancellationTokenSource(20.Milliseconds());

        await Should.ThrowAsync<OperationCanceledException>(() => Bounded.RunAsync(5.Seconds(), "a delay", _ => Task.Delay(Timeout.Infinite, other.Token)));
    }
}
