namespace Course.Tests.Testing;

/// <summary><see cref="Durations"/>: the bounds of waits, and how messages say them.</summary>
public class DurationsTests
{
    [Fact]
    public void Seconds_and_Milliseconds_make_the_TimeSpans_they_name()
    {
        5.Seconds().ShouldBe(TimeSpan.FromSeconds(5));
        200.Milliseconds().ShouldBe(TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData(200, "200 ms")]
    [InlineData(0, "0 ms")]
    [InlineData(999, "999 ms")]
    [InlineData(1000, "1 s")]
    [InlineData(1500, "1.5 s")]
    [InlineData(1234, "1.23 s")]
    [InlineData(5000, "5 s")]
    [InlineData(90000, "90 s")]
    public void Describe_says_a_duration_in_ms_below_a_second_and_in_s_above(int milliseconds, string expected) =>
        Durations.Describe(TimeSpan.FromMilliseconds(milliseconds)).ShouldBe(expected);

    [Fact]
    public void Describe_keeps_a_fraction_of_a_millisecond()
        => Durations.Describe(TimeSpan.FromMicroseconds(500)).ShouldBe("0.5 ms");

    [Fact]
    public void Describe_calls_an_infinite_bound_forever()
        => Durations.Describe(Timeout.InfiniteTimeSpan).ShouldBe("forever");
}
