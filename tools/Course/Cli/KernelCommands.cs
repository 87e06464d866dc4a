using Course.Kernel;
using Course.Notebooks;

namespace Course.Cli;

/// <summary>
/// `./course notebooks kernel FILE` (Jupyter runs it), `install-kernel` and
/// `uninstall-kernel`: the course's Jupyter kernel, so the notebooks run cell
/// by cell in VS Code, JupyterLab and nbconvert on .NET 10.
/// </summary>
public static class KernelCommands
{
    public static int Install(Repo repo)
    {
        var path = KernelSpec.Install(KernelSpec.UserDataFolder(), KernelSpec.Create(KernelSpec.CourseCommand(repo), repo.Root));
        Console.WriteLine($"Installed the kernel \"{KernelSpec.DisplayName}\" ({KernelSpec.Name}): {path}");
        Console.WriteLine("VS Code (Jupyter extension) and Jupyter now pick it for the course notebooks; check with: jupyter kernelspec list");
        return 0;
    }

    public static int Uninstall()
    {
        var removed = KernelSpec.Uninstall(KernelSpec.UserDataFolder());
        Console.WriteLine(removed
            ? $"Removed the kernel {KernelSpec.Name} from {KernelSpec.Folder(KernelSpec.UserDataFolder())}."
            : $"The kernel {KernelSpec.Name} was not installed in {KernelSpec.UserDataFolder()}; nothing to remove.");
        return 0;
    }

    /// <summary>Runs the kernel until a shutdown request. Its log goes to stderr, which Jupyter clients show.</summary>
    public static async Task<int> RunAsync(Repo repo, string connectionFile)
    {
        var connection = ConnectionInfo.Load(connectionFile);
        var stderr = Console.Error;
        void Log(string line) => stderr.WriteLine($"[course kernel] {line}");

        var track = Environment.GetEnvironmentVariable("Track") is { Length: > 0 } chosen ? chosen : repo.DefaultTrack;
        repo.RequireTrack(track);
        // Jupyter starts a kernel in the notebook's folder, which #r "../labs/..." is relative to;
        // started elsewhere (the repository root, a console), the notebooks folder is the base.
        var cwd = Directory.GetCurrentDirectory();
        var folder = (cwd + Path.DirectorySeparatorChar).StartsWith(repo.Notebooks + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? cwd : repo.Notebooks;
        Console.SetIn(TextReader.Null); // no stdin in a notebook: Console.ReadLine() returns null at once

        using var engine = new NotebookEngine(new EngineOptions(folder)
        {
            MapPath = NotebookRunner.TrackMapping(repo, track),
            CellTimeout = Timeout.InfiniteTimeSpan, // a live cell may serve until interrupted
        });
        var builder = new LabBuilder(repo, track);
        var built = new HashSet<string>(StringComparer.Ordinal);
        async Task<ErrorOutput?> BuildLabs(string code)
        {
            foreach (var lab in LabBuilder.ReferencedLabs([code]).Where(built.Add))
            {
                Log($"building {track}/{lab}");
                if (await builder.BuildAsync(lab) is { } problem)
                {
                    built.Remove(lab);
                    return ErrorOutput.Of("BuildError", problem);
                }
            }
            return null;
        }

        using var host = new KernelHost(connection, Log);
        using var core = new KernelCore(engine, host, Log, BuildLabs);
        Log($"started: track {track}, notebooks folder {folder}, protocol {JupyterMessage.ProtocolVersion}");
        return await host.RunAsync(core);
    }
}
