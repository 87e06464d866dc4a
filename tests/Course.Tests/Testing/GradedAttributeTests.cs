using System.Reflection;
using Xunit.Sdk;

namespace Course.Tests.Testing;

/// <summary><see cref="GradedAttribute"/>: points, and the xunit traits Category=Graded and Points=N.</summary>
public class GradedAttributeTests
{
    private static MethodInfo WorthThree => typeof(GradedSamples).GetMethod(nameof(GradedSamples.Worth_three))!;

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Graded_rejects_points_below_one(int points)
    {
        var e = Should.Throw<ArgumentOutOfRangeException>(() => new GradedAttribute(points));

        e.ParamName.ShouldBe("points");
        e.Message.ShouldContain("at least one point");
    }

    [Fact]
    public void Graded_keeps_its_points_and_hint()
    {
        var graded = WorthThree.GetCustomAttribute<GradedAttribute>()!;

        graded.Points.ShouldBe(3);
        graded.Hint.ShouldBe("Loop until Receive returns 0.");
    }

    [Fact]
    public void The_trait_discoverer_yields_Category_Graded_and_the_points()
    {
        var attribute = new ReflectionAttributeInfo(WorthThree.CustomAttributes.Single(a => a.AttributeType == typeof(GradedAttribute)));

        new GradedTraitDiscoverer().GetTraits(attribute).ShouldBe([new("Category", "Graded"), new("Points", "3")]);
    }

    [Fact]
    public void Xunit_finds_the_traits_through_the_attribute_s_discoverer_name()
    {
        var traits = TraitHelper.GetTraits(WorthThree);

        traits.ShouldContain(new KeyValuePair<string, string>("Category", "Graded"));
        traits.ShouldContain(new KeyValuePair<string, string>("Points", "3"));
    }
}

/// <summary>Not run as tests (no [Fact]): a method for the attribute to sit on.</summary>
internal static class GradedSamples
{
    [Graded(3, Hint = "Loop until Receive returns 0.")]
    public static void Worth_three()
    {
    }
}
