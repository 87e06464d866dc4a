using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Course.Tests.Testing;

/// <summary>
/// <see cref="WithinExtensions.Within(Task, TimeSpan, string, Func{string}?)"/>: the result
/// in time, one TimeoutException naming what was awaited, the task's own outcome unchanged.
/// </summary>
public class WithinTests
{
    private static readonly string NL = Environment.NewLine;

    [Fact]
    public async Task Within_returns_the_result_of_a_task_that_ends_in_time()
    {
        var answer = await DelayedAsync(42, 20.Milliseconds()).Within(5.Seconds(), "the answer");

        answer.ShouldBe(42);
    }

    [Fact]
    public async Task Within_returns_a_completed_task_s_result_without_computing_the_context()
    {
        int contextCalls = 0;
        string Context() { contextCalls++; return "context"; }

        (await Task.FromResult("done").Within(1.Seconds(), "a result", Context)).ShouldBe("done");
        await Task.CompletedTask.Within(1.Seconds(), "nothing", Context);
        await DelayedAsync(1, 10.Milliseconds()).Within(5.Seconds(), "a late result", Context);

        contextCalls.ShouldBe(0);
    }

    [Fact]
    public async Task Within_throws_a_timeout_that_names_what_was_awaited()
    {
        var never = new TaskCompletionSource<int>();

        var e = await Should.ThrowAsync<TimeoutException>(() => never.Task.Within(200.Milliseconds(), "the echo of 'hello'"));

        e.Message.ShouldBe("Timed out after 200 ms waiting for the echo of 'hello'.");
    }

    [Fact]
    public async Task Within_puts_the_context_lines_after_the_timeout_sentence()
    {
        var never = new TaskCompletionSource();

        var e = await Should.ThrowAsync<TimeoutException>(() => never.Task.Within(
            50.Milliseconds(), "the server's FIN", () => "server log (1 line):" + NL + "  accepted 127.0.0.1:5000"));

        e.Message.ShouldBe("Timed out after 50 ms waiting for the server's FIN." + NL + "server log (1 line):" + NL + "  accepted 127.0.0.1:5000");
    }

    [Fact]
    public async Task Within_leaves_out_blank_context()
    {
        var never = new TaskCompletionSource();

        var e = await Should.ThrowAsync<TimeoutException>(() => never.Task.Within(50.Milliseconds(), "nothing", () => "  "));

        e.Message.ShouldBe("Timed out after 50 ms waiting for nothing.");
    }

    [Fact]
    public async Task Within_lets_the_task_s_own_exception_through_unchanged()
    {
        var own = new InvalidDataException("bad frame");

        var early = await Should.ThrowAsync<InvalidDataException>(() => Task.FromException(own).Within(5.Seconds(), "a frame"));
        var late = await Should.ThrowAsync<InvalidDataException>(() => FailAfterAsync<int>(own, 20.Milliseconds()).Within(5.Seconds(), "a frame"));

        early.ShouldBeSameAs(own);
        late.ShouldBeSameAs(own);
    }

    [Fact]
    public async Task Within_does_not_mistake_the_task_s_own_timeout_for_its_own()
    {
        var own = new TimeoutException("the lab's own receive timeout");

        var e = await Should.ThrowAsync<TimeoutException>(() => FailAfterAsync<int>(own, 20.Milliseconds()).Within(5.Seconds(), "a frame"));

        e.ShouldBeSameAs(own);
    }

    [Fact]
    public async Task Within_lets_the_task_s_cancellation_through()
    {
        using var cancel = new CancellationTokenSource(20.Milliseconds());

        await Should.ThrowAsync<OperationCanceledException>(() => Task.Delay(Timeout.Infinite, cancel.Token).Within(5.Seconds(), "a cancelled delay"));
    }

    [Fact]
    public async Task Within_works_on_value_tasks_too()
    {
        (await new ValueTask<int>(DelayedAsync(7, 10.Milliseconds())).Within(5.Seconds(), "seven")).ShouldBe(7);
        await new ValueTask(Task.Delay(10)).Within(5.Seconds(), "a delay");

        var e = await Should.ThrowAsync<TimeoutException>(() => new ValueTask<int>(new TaskCompletionSource<int>().Task).Within(50.Milliseconds(), "a value"));
        e.Message.ShouldBe("Timed out after 50 ms waiting for a value.");
    }

    [Fact]
    public void Within_observes_a_late_failure_of_the_task_it_stopped_waiting_for()
    {
        var unobserved = new ConcurrentBag<Exception>();
        void Record(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            foreach (var inner in e.Exception.InnerExceptions)
                unobserved.Add(inner);
        }

        TaskScheduler.UnobservedTaskException += Record;
        try
        {
            var abandoned = AbandonThenFail(useWithin: true);
            // The control: the same late failure, never awaited, must be reported,
            // or this test could not see the bug it looks for.
            var control = AbandonThenFail(useWithin: false);
            for (int i = 0; i < 5 && !unobserved.Contains(control); i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            unobserved.ShouldContain(control);
            unobserved.ShouldNotContain(abandoned);
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Record;
        }
    }

    /// <summary>
    /// A task that times out (if <paramref name="useWithin"/>) and then fails; nothing
    /// of it stays reachable once this returns (hence no inlining), so the GC can finalize it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Exception AbandonThenFail(bool useWithin)
    {
        var source = new TaskCompletionSource<int>();
        if (useWithin)
            Should.Throw<TimeoutException>(() => source.Task.Within(20.Milliseconds(), "a task that fails later").GetAwaiter().GetResult());
        var failure = new InvalidOperationException($"late failure ({(useWithin ? "abandoned by Within" : "control")})");
        source.SetException(failure);
        return failure;
    }

    private static async Task<T> DelayedAsync<T>(T value, TimeSpan delay)
    {
        await Task.Delay(delay);
        return value;
    }

    private static async Task<T> FailAfterAsync<T>(Exception e, TimeSpan delay)
    {
        await Task.Delay(delay);
        throw e;
    }
}
