namespace Course.Tests.Testing;

/// <summary><see cref="LineLog"/>: lines from many threads, waits on a line, and the log in failure messages.</summary>
public class LineLogTests
{
    private static readonly string NL = Environment.NewLine;

    [Fact]
    public async Task WaitForAsync_returns_a_line_logged_before_the_wait()
    {
        var log = new LineLog();
        log.Add("listening on 127.0.0.1:5000");
        log.Add("accepted 127.0.0.1:51234");

        var waiting = log.WaitForAsync(line => line.StartsWith("accepted", StringComparison.Ordinal), 5.Seconds(), "the 'accepted' line");

        waiting.IsCompletedSuccessfully.ShouldBeTrue();
        (await waiting).ShouldBe("accepted 127.0.0.1:51234");
    }

    [Fact]
    public async Task WaitForAsync_returns_the_first_matching_line_logged_later_from_another_thread()
    {
        var log = new LineLog();
        var first = log.WaitForAsync(line => line.StartsWith("accepted", StringComparison.Ordinal), 5.Seconds(), "the 'accepted' line");
        var second = log.WaitForAsync(line => line.Contains("51234", StringComparison.Ordinal), 5.Seconds(), "port 51234");
        first.IsCompleted.ShouldBeFalse();

        _ = Task.Run(() =>
        {
            log.Add("listening on 127.0.0.1:5000");
            log.Add("accepted 127.0.0.1:51234");
            log.Add("accepted 127.0.0.1:51235");
        });

        (await first).ShouldBe("accepted 127.0.0.1:51234");
        (await second).ShouldBe("accepted 127.0.0.1:51234");
    }

    [Fact]
    public async Task WaitForAsync_times_out_naming_what_was_awaited_and_showing_the_log()
    {
        var log = new LineLog("server log");
        log.Add("listening on 127.0.0.1:5000");

        var e = await Should.ThrowAsync<TimeoutException>(() => log.WaitForAsync(line => line.StartsWith("accepted", StringComparison.Ordinal), 50.Milliseconds(), "the 'accepted' line"));

        e.Message.ShouldBe("Timed out after 50 ms waiting for the 'accepted' line." + NL + "server log (1 line):" + NL + "  listening on 127.0.0.1:5000");
        log.Add("accepted 127.0.0.1:51234"); // no waiter left to wake, nothing throws
        log.Lines.ShouldBe(["listening on 127.0.0.1:5000", "accepted 127.0.0.1:51234"]);
    }

    [Fact]
    public void Describe_says_when_nothing_was_logged()
        => new LineLog("proxy notes").Describe().ShouldBe("proxy notes (0 lines): nothing logged");

    [Fact]
    public void Describe_shows_every_line_indented_under_the_title()
    {
        var log = new LineLog("server log");
        log.Add("a");
        log.Add("b");

        log.Describe().ShouldBe("server log (2 lines):" + NL + "  a" + NL + "  b");
        log.ToString().ShouldBe(log.Describe());
    }

    [Fact]
    public void Describe_keeps_only_the_last_lines_and_says_so()
    {
        var log = new LineLog("server log");
        foreach (var line in new[] { "a", "b", "c" })
            log.Add(line);

        log.Describe(lastLines: 2).ShouldBe("server log (3 lines, the last 2):" + NL + "  b" + NL + "  c");
    }

    [Fact]
    public async Task Add_keeps_every_line_from_concurrent_writers()
    {
        var log = new LineLog();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(() =>
        {
            for (int i = 0; i < 100; i++)
                log.Add($"{writer}:{i}");
        }))).Within(5.Seconds(), "8 writers of 100 lines");

        log.Lines.Count.ShouldBe(800);
        log.Lines.Distinct().Count().ShouldBe(800);
    }
}
