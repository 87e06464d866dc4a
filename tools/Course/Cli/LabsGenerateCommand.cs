using Course.Markers;

namespace Course.Cli;

/// <summary>`./course labs generate [--check]`: labs/ from solutions/.</summary>
public static class LabsGenerateCommand
{
    public static int Run(Repo repo, bool checkOnly)
    {
        var generator = new LabsGenerator(repo);
        if (checkOnly)
        {
            var stale = generator.Check();
            if (stale.Count == 0)
            {
                Console.WriteLine("labs/ is up to date with solutions/.");
                return 0;
            }
            Console.WriteLine($"labs/ is stale: {stale.Count} file(s) differ from what solutions/ generates:");
            foreach (var file in stale)
                Console.WriteLine($"  {file.Path}: {file.Why}");
            Console.WriteLine("Run ./course labs generate, then commit labs/.");
            return 1;
        }
        var written = generator.Write();
        foreach (var file in written)
            Console.WriteLine($"  {(file.Why.StartsWith("not generated", StringComparison.Ordinal) ? "deleted" : "wrote")} {file.Path}");
        Console.WriteLine(written.Count == 0 ? "labs/ was already up to date." : $"labs/ regenerated ({written.Count} file(s)).");
        return 0;
    }
}
