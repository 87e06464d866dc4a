using Xunit.Abstractions;
using Xunit.Sdk;

namespace Course.Testing;

/// <summary>
/// Marks a test as graded and says how many points it is worth:
/// <c>[Fact, Graded(2)]</c>. The lab comes from the test project's name
/// (<c>Lab01.SocketEcho.Tests</c> is Lab 01). Tests of code that is given to
/// the learner carry no <c>[Graded]</c>: they are worth nothing.
/// </summary>
/// <remarks>
/// <c>./course grade</c> reads the points from the compiled test assembly.
/// The attribute is also an xunit trait, so one can run only the graded
/// tests: <c>dotnet test --filter Category=Graded</c>.
/// Every graded test must pass on solutions/ and fail on the starter in
/// labs/; <c>./course prove</c> checks both.
/// </remarks>
[TraitDiscoverer("Course.Testing.GradedTraitDiscoverer", "Course.Testing")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class GradedAttribute : Attribute, ITraitAttribute
{
    public GradedAttribute(int points)
    {
        if (points <= 0)
            throw new ArgumentOutOfRangeException(nameof(points), points, "A graded test is worth at least one point.");
        Points = points;
    }

    /// <summary>The points this test is worth.</summary>
    public int Points { get; }

    /// <summary>
    /// Optional: what to read or try when the test fails, printed by
    /// <c>./course check</c> after the failure message.
    /// </summary>
    public string? Hint { get; init; }
}

/// <summary>Turns <see cref="GradedAttribute"/> into the traits Category=Graded and Points=N.</summary>
public sealed class GradedTraitDiscoverer : ITraitDiscoverer
{
    public IEnumerable<KeyValuePair<string, string>> GetTraits(IAttributeInfo traitAttribute)
    {
        var points = traitAttribute.GetConstructorArguments().FirstOrDefault();
        yield return new("Category", "Graded");
        yield return new("Points", Convert.ToString(points, System.Globalization.CultureInfo.InvariantCulture) ?? "0");
    }
}
