using Shouldly;
using System.Diagnostics.CodeAnalysis;

namespace Course.Testing;

/// <summary>
/// Assertions whose first line (the one <c>./course check</c> and the grading
/// table show) says which step, what was expected and what came; the next
/// lines say why, and where to read.
/// </summary>
public static class Check
{
    /// <summary>Fails with "{what}: expected X, got Y." unless the two are equal.</summary>
    public static void Equal<T>(T actual, T expected, string what, string why)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            Fail($"{what}: expected {Show(expected)}, got {Show(actual)}.", why);
    }

    /// <summary>Fails with <paramref name="what"/> unless <paramref name="condition"/> holds.</summary>
    public static void True([DoesNotReturnIf(false)] bool condition, string what, string why)
    {
        if (!condition)
            Fail(what, why);
    }

    [DoesNotReturn]
    public static void Fail(string what, string why) => throw new ShouldAssertException($"{what}\n{why}");

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        string text => Visible.Quoted(text),
        _ => value.ToString() ?? "",
    };
}
