using System.Xml.Linq;

namespace Course.Grading;

/// <summary>One test case's result as the test run reported it.</summary>
public sealed record TestCaseResult(string ClassName, string MethodName, string DisplayName, string Outcome, string? Message, string? StackTrace, string? Output)
{
    /// <summary>"Namespace.Class.Method": the key shared by all cases of a theory.</summary>
    public string MethodKey => $"{ClassName}.{MethodName}";
    public bool Passed => Outcome == "Passed";

    /// <summary>The test did not run: skipped, or not executed.</summary>
    public bool Skipped => Outcome is "NotExecuted" or "Skipped";
}

/// <summary>The results of one `dotnet test` run, read from its TRX file.</summary>
public sealed record TestRunResults(IReadOnlyList<TestCaseResult> Cases, string? TestAssembly);

/// <summary>
/// Reads the TRX file `dotnet test --logger trx` writes (the VSTest results
/// format): each result's outcome, message, stack trace and output, joined to
/// its test method through the test definitions.
/// </summary>
public static class TrxReader
{
    private static readonly XNamespace Ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";

    public static TestRunResults Read(string path)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Load(path);
        }
        catch (Exception e) when (e is System.Xml.XmlException or IOException)
        {
            throw new CourseException($"Cannot read the test results {path}: {e.Message}");
        }
        var methods = doc.Descendants(Ns + "UnitTest").ToDictionary(
            u => (string?)u.Attribute("id") ?? "",
            u => u.Element(Ns + "TestMethod"));
        var cases = new List<TestCaseResult>();
        string? assembly = null;
        foreach (var result in doc.Descendants(Ns + "UnitTestResult"))
        {
            var method = methods.GetValueOrDefault((string?)result.Attribute("testId") ?? "");
            var display = (string?)result.Attribute("testName") ?? "";
            var className = (string?)method?.Attribute("className") ?? display[..Math.Max(0, display.LastIndexOf('.'))];
            var methodName = (string?)method?.Attribute("name") ?? display[(display.LastIndexOf('.') + 1)..];
            assembly ??= (string?)method?.Attribute("codeBase");
            var output = result.Element(Ns + "Output");
            cases.Add(new TestCaseResult(
                className,
                methodName,
                display,
                (string?)result.Attribute("outcome") ?? "Failed",
                output?.Element(Ns + "ErrorInfo")?.Element(Ns + "Message")?.Value,
                output?.Element(Ns + "ErrorInfo")?.Element(Ns + "StackTrace")?.Value,
                output?.Element(Ns + "StdOut")?.Value));
        }
        return new TestRunResults(cases, assembly);
    }
}
