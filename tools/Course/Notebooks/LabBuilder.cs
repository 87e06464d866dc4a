using System.Text.RegularExpressions;
using Course.Grading;

namespace Course.Notebooks;

/// <summary>
/// A notebook loads a lab's DLL (<c>#r "../labs/LabNN.Topic/bin/..."</c>); both
/// front ends of the engine (the runner and the kernel) build those labs on
/// the track first, so the DLL is there and current.
/// </summary>
public sealed partial class LabBuilder(Repo repo, string track)
{
    /// <summary>The lab projects the code references with #r, e.g. "Lab01.SocketEcho", in order.</summary>
    public static IReadOnlyList<string> ReferencedLabs(IEnumerable<string> sources) =>
        sources.SelectMany(s => LabReference().Matches(s)).Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Builds one lab on the track; null when it built, else what went wrong (the compiler's errors).</summary>
    public async Task<string?> BuildAsync(string project)
    {
        var csproj = Path.Combine(repo.TrackFolder(track), project, project + ".csproj");
        if (!File.Exists(csproj))
            return $"A notebook references labs/{project}, but {repo.Relative(csproj)} does not exist.";
        var build = await ProcessRunner.RunAsync("dotnet", ["build", csproj, "-nologo", "-v:q", "-clp:ErrorsOnly;NoSummary"], repo.Root, Grader.BuildTimeout);
        return build.ExitCode == 0
            ? null
            : $"{repo.Relative(csproj)} does not build, so the notebook cannot load it:\n{new Grader(repo).CompilerMessages(build.Output)}";
    }

    [GeneratedRegex(@"#r\s+""[^""]*labs/(Lab\d\d\.[A-Za-z0-9]+)/")]
    private static partial Regex LabReference();
}
