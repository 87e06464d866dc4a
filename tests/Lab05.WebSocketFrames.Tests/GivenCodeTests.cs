namespace Lab05.WebSocketFrames.Tests;

/// <summary>
/// Code the lab gives (no points): text that has no UTF-8 form is refused,
/// never replaced, and close statuses compare by value.
/// </summary>
public class GivenCodeTests
{
    private const string LoneSurrogate = "bye \ud800";

    [Fact]
    public void Text_with_a_lone_surrogate_is_refused_not_replaced()
    {
        Should.Throw<ArgumentException>(() => Frame.Text(LoneSurrogate));
        Should.Throw<ArgumentException>(() => Message.FromText(LoneSurrogate));
    }

    [Fact]
    public void Close_statuses_compare_by_code_and_reason()
    {
        Check.True(default(CloseStatus) == CloseStatus.Empty, "default(CloseStatus) equals CloseStatus.Empty (no code, no reason)", "CloseStatus.Equals");
        Check.True(new CloseStatus(1000, null!) == new CloseStatus(CloseCode.NormalClosure, ""), "a null reason equals an empty one", "CloseStatus.Equals");
        Check.Equal(new CloseStatus(1000, null!).GetHashCode(), new CloseStatus(1000).GetHashCode(), "hash codes of equal statuses", "CloseStatus.GetHashCode");
    }

    [Fact, Graded(1, Hint = "Notebook 05 §8; RFC 6455 §5.5.1")]
    public void A_close_reason_with_a_lone_surrogate_is_refused_on_send()
    {
        var refused = Record.Exception(() => new CloseStatus(CloseCode.NormalClosure, LoneSurrogate).ToPayload());
        if (refused is NotImplementedException)
            throw refused;
        Check.True(refused is ArgumentException,
            $"step 10: CloseStatus(1000, \"bye \\ud800\").ToPayload(): expected ArgumentException, got {(refused is null ? "no exception" : refused.GetType().Name)}",
            "Notebook 05 §8. A lone surrogate has no UTF-8 form; Encoding.UTF8 would send U+FFFD instead, silently. Count and write the reason with Utf8Text (strict).");
    }
}
