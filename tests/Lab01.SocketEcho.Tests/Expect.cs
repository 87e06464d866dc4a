using System.Text;

namespace Lab01.SocketEcho.Tests;

/// <summary>Assertions whose failure tells the story: what was expected, what came, where to read.</summary>
internal static class Expect
{
    /// <summary>
    /// Fails unless <paramref name="actual"/> equals <paramref name="expected"/>, showing both
    /// (escaped) and the first byte that differs.
    /// </summary>
    public static void SameBytes(ReadOnlySpan<byte> actual, ReadOnlySpan<byte> expected, string what, string read, Func<string>? context = null)
    {
        if (actual.SequenceEqual(expected))
            return;

        int common = actual.CommonPrefixLength(expected);
        var message = new StringBuilder()
            .AppendLine($"{what}: expected {expected.Length} bytes, got {actual.Length}.")
            .AppendLine($"  expected: {Visible.Quoted(expected, 80)}")
            .AppendLine($"  actual:   {Visible.Quoted(actual, 80)}");
        if (common < Math.Min(actual.Length, expected.Length))
            message.AppendLine($"  first difference at byte {common}: expected 0x{expected[common]:x2}, got 0x{actual[common]:x2}.");
        else
            message.AppendLine($"  the first {common} bytes agree; then one of them ends.");
        message.Append($"Read: {read}.");
        var more = context?.Invoke();
        if (!string.IsNullOrEmpty(more))
            message.AppendLine().Append(more);
        throw new ShouldAssertException(message.ToString());
    }

    /// <summary>Fails unless the messages are equal, showing both lists.</summary>
    public static void SameMessages<T>(IReadOnlyList<T> actual, IReadOnlyList<T> expected, Func<T, string> show, string what, string read, Func<string>? context = null)
    {
        if (actual.Count == expected.Count && actual.Zip(expected).All(p => show(p.First) == show(p.Second)))
            return;
        var message = new StringBuilder()
            .AppendLine($"{what}: expected {expected.Count} messages, got {actual.Count}.")
            .AppendLine($"  expected: [{string.Join(", ", expected.Select(show))}]")
            .AppendLine($"  actual:   [{string.Join(", ", actual.Select(show))}]")
            .Append($"Read: {read}.");
        var more = context?.Invoke();
        if (!string.IsNullOrEmpty(more))
            message.AppendLine().Append(more);
        throw new ShouldAssertException(message.ToString());
    }

    /// <summary>
    /// Runs <paramref name="action"/> and returns the <typeparamref name="TException"/> it throws.
    /// A <see cref="NotImplementedException"/> comes out as it is, so that a step not
    /// written yet shows its own hint first; anything else fails with <paramref name="why"/>.
    /// </summary>
    public static TException Throws<TException>(Action action, string why) where TException : Exception =>
        // The action runs synchronously inside; the task is complete when it returns.
        ThrowsAsync<TException>(() =>
        {
            action();
            return Task.CompletedTask;
        }, why).GetAwaiter().GetResult();

    /// <inheritdoc cref="Throws{TException}(Action, string)"/>
    public static async Task<TException> ThrowsAsync<TException>(Func<Task> action, string why) where TException : Exception
    {
        try
        {
            await action();
        }
        catch (TException expected)
        {
            return expected;
        }
        catch (NotImplementedException)
        {
            throw;
        }
        catch (Exception other)
        {
            throw new ShouldAssertException($"Expected {typeof(TException).Name}, got {other.GetType().Name}: {other.Message}\n{why}", other);
        }
        throw new ShouldAssertException($"Expected {typeof(TException).Name}, but nothing was thrown.\n{why}");
    }

    /// <summary>A line for messages: "hello␊" in quotes.</summary>
    public static string Show(string line) => Visible.Quoted(line);

    /// <summary>A binary message for messages: its length and first bytes.</summary>
    public static string Show(byte[] message) => $"{message.Length} bytes {Visible.Quoted(message, 24)}";
}
