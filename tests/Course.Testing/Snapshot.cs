using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Shouldly;
using Shouldly.Configuration;

namespace Course.Testing;

/// <summary>
/// Snapshot (approval) tests on top of Shouldly's <c>ShouldMatchApproved</c>:
/// <c>transcript.ToString().ShouldMatchSnapshot(Scrub.Port(port, "&lt;server-port&gt;"));</c>
/// </summary>
/// <remarks>
/// <para>The approved file is <c>snapshots/&lt;TestFile&gt;.&lt;TestMethod&gt;[.discriminator].approved.txt</c>
/// next to the calling test's source file; it is committed and reviewed like
/// code. When the text differs (or no approved file exists yet), the text is
/// written to the matching <c>.received.txt</c> (ignored by git) and the failure
/// says where both files are and how to approve the received one.</para>
/// <para>Shouldly finds the test's source folder from the stack trace, which
/// breaks on deterministic CI builds (paths become <c>/_/...</c>) and in
/// helpers. Here the folder comes from <see cref="CallerFilePathAttribute"/>
/// instead, mapped back to the real file when the build used a path map, and
/// is handed to Shouldly through its <see cref="ITestMethodFinder"/> extension
/// point. No diff tool is ever launched (<c>NoDiff</c>); line endings are
/// ignored (Shouldly's default), so a checkout with CRLF still matches.</para>
/// <para>Scrubbers run before the comparison: the caller's, then
/// <see cref="Scrub.Default"/>.</para>
/// </remarks>
public static partial class Snapshot
{
    /// <summary>The folder, next to the test's source file, that holds the approved files.</summary>
    public const string Folder = "snapshots";

    /// <summary>
    /// Compares <paramref name="actual"/> (scrubbed) with the approved snapshot of the calling test.
    /// </summary>
    /// <param name="actual">The text to approve: a transcript, a hex dump.</param>
    /// <param name="scrubber">Replaces what varies by placeholders (see <see cref="Scrub"/>); <see cref="Scrub.Default"/> runs after it.</param>
    /// <param name="discriminator">Tells apart several snapshots of one test: "request", "response".</param>
    /// <param name="sourceFile">Filled in by the compiler.</param>
    /// <param name="testName">Filled in by the compiler.</param>
    /// <exception cref="SnapshotMismatchException">No approved file yet, or it differs.</exception>
    public static void ShouldMatchSnapshot(
        this string actual,
        Func<string, string>? scrubber = null,
        string? discriminator = null,
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string testName = "")
    {
        ArgumentNullException.ThrowIfNull(actual);
        var source = ResolveSourceFile(sourceFile);
        var name = Path.GetFileNameWithoutExtension(source) + "." + testName + (discriminator is null ? "" : "." + discriminator);
        var folder = Path.Combine(Path.GetDirectoryName(source)!, Folder);
        var approved = Path.Combine(folder, name + ".approved.txt");
        var received = Path.Combine(folder, name + ".received.txt");

        var text = Scrub.Default((scrubber ?? (s => s))(actual.ReplaceLineEndings("\n")));
        try
        {
            text.ShouldMatchApproved(options => options
                .NoDiff()
                .WithFileExtension("txt")
                .SubFolder(Folder)
                .Configure(c =>
                {
                    c.TestMethodFinder = new FixedSourceFile(source);
                    c.FilenameGenerator = (_, _, kind, extension) => $"{name}.{kind}.{extension}";
                }));
        }
        catch (ShouldMatchApprovedException e)
        {
            // Shouldly's message starts with its own "run this command" block;
            // ours says the same with more context, so keep only the comparison.
            const string rule = "----------------------------";
            var detail = e.Message;
            int cut = detail.IndexOf(rule, StringComparison.Ordinal);
            if (cut >= 0)
                detail = detail[(cut + rule.Length)..].Trim();
            throw new SnapshotMismatchException(Explain(name, approved, received, detail));
        }
    }

    /// <summary>
    /// The real path of a test source file given by <see cref="CallerFilePathAttribute"/>:
    /// as it is when it exists, else (a deterministic build maps the repository
    /// root to <c>/_/</c>) the same relative path found by walking up from the test's output folder.
    /// </summary>
    public static string ResolveSourceFile(string sourceFile)
    {
        if (File.Exists(sourceFile))
            return sourceFile;

        var mapped = DeterministicRoot().Match(sourceFile);
        if (mapped.Success)
        {
            var relative = sourceFile[mapped.Length..];
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                    return candidate;
            }
        }

        throw new InvalidOperationException(
            $"Cannot find the test's source file '{sourceFile}', next to which the snapshots live. " +
            "Run the tests from a checkout of the repository.");
    }

    private static string Explain(string name, string approved, string received, string shouldlyMessage)
    {
        var what = File.Exists(approved) ? "does not match its approved snapshot" : "has no approved snapshot yet";
        return $"""
            Snapshot '{name}' {what}.
              approved: {approved}
              received: {received}   (what this run produced)
            Compare the two files. If the received text is right (you changed the output on purpose), approve it:
              cp "{received}" "{approved}"

            {shouldlyMessage}
            """;
    }

    [GeneratedRegex(@"^/_\d*/")]
    private static partial Regex DeterministicRoot();

    /// <summary>Tells Shouldly the test's source file, instead of reading it from the stack trace.</summary>
    private sealed class FixedSourceFile(string path) : ITestMethodFinder
    {
        public TestMethodInfo GetTestMethodInfo(StackTrace stackTrace, int startAt = 0) => new(new SourceFrame(path));
    }

    /// <summary>A stack frame that only knows a file: what Shouldly's TestMethodInfo reads.</summary>
    private sealed class SourceFrame(string path) : StackFrame
    {
        public override string? GetFileName() => path;

        public override MethodBase? GetMethod() => typeof(Snapshot).GetMethod(nameof(ShouldMatchSnapshot));
    }
}

/// <summary>A snapshot differs from its approved file, or has none yet. The message says where both files are.</summary>
public sealed class SnapshotMismatchException(string message) : Exception(message);
