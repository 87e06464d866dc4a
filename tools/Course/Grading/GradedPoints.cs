using System.Reflection;

namespace Course.Grading;

/// <summary>What a [Graded] attribute says about one test method.</summary>
public sealed record GradedInfo(int Points, string? Hint);

/// <summary>
/// Reads the [Graded(points, Hint = ...)] attributes of a compiled test
/// assembly without running any of its code (MetadataLoadContext).
/// Keys are "Namespace.Class.Method", as in <see cref="TestCaseResult.MethodKey"/>.
/// </summary>
public static class GradedPoints
{
    public const string AttributeName = "Course.Testing.GradedAttribute";

    public static IReadOnlyDictionary<string, GradedInfo> Read(string testAssemblyPath)
    {
        var folder = Path.GetDirectoryName(testAssemblyPath)!;
        var runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = Directory.EnumerateFiles(folder, "*.dll")
            .Concat(Directory.EnumerateFiles(runtime, "*.dll"))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        var assembly = context.LoadFromAssemblyPath(testAssemblyPath);
        var result = new Dictionary<string, GradedInfo>(StringComparer.Ordinal);
        foreach (var type in LoadableTypes(assembly))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var graded = method.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == AttributeName);
                if (graded is null)
                    continue;
                var points = graded.ConstructorArguments.Count > 0 ? Convert.ToInt32(graded.ConstructorArguments[0].Value) : 0;
                var hint = graded.NamedArguments.FirstOrDefault(n => n.MemberName == "Hint").TypedValue.Value as string;
                result[$"{type.FullName}.{method.Name}"] = new GradedInfo(points, hint);
            }
        }
        return result;
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}
