using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Course.Kernel;

/// <summary>
/// The kernelspec: a folder <c>kernels/socket-websocket-lab/</c> with a
/// kernel.json that tells Jupyter clients (VS Code, JupyterLab, nbconvert)
/// how to start this kernel (Jupyter client docs, "Kernel specs"). It is
/// installed in the user's Jupyter data folder, where they all look.
/// </summary>
public static class KernelSpec
{
    public const string Name = "socket-websocket-lab";
    public const string DisplayName = "C# (Socket → WebSocket Lab)";
    public const string Language = "csharp";

    /// <summary>The kernelspec metadata every course notebook carries, so clients pick this kernel without asking.</summary>
    public static JsonObject NotebookKernelspec() => new() { ["name"] = Name, ["display_name"] = DisplayName, ["language"] = Language };

    public static JsonObject NotebookLanguageInfo() => new()
    {
        ["name"] = "csharp", ["file_extension"] = ".cs", ["mimetype"] = "text/x-csharp", ["pygments_lexer"] = "csharp",
    };

    /// <summary>
    /// The user's Jupyter data folder, as jupyter_core computes it: JUPYTER_DATA_DIR
    /// if set; else ~/Library/Jupyter on macOS, %APPDATA%\jupyter on Windows,
    /// and $XDG_DATA_HOME/jupyter (default ~/.local/share/jupyter) elsewhere.
    /// </summary>
    public static string UserDataFolder()
    {
        if (Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } configured)
            return configured;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
            return Path.Combine(home, "Library", "Jupyter");
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter");
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter");
    }

    public static string Folder(string dataFolder) => Path.Combine(dataFolder, "kernels", Name);

    /// <summary>
    /// kernel.json: start the kernel through the course wrapper, which rebuilds
    /// the CLI when its sources changed; interrupts arrive as messages on the
    /// control channel (portable, no signals needed).
    /// </summary>
    public static JsonObject Create(IReadOnlyList<string> command, string courseRoot) => new()
    {
        ["argv"] = new JsonArray([.. command.Select(a => (JsonNode)JsonValue.Create(a)), "notebooks", "kernel", "{connection_file}"]),
        ["display_name"] = DisplayName,
        ["language"] = Language,
        ["interrupt_mode"] = "message",
        ["env"] = new JsonObject(),
        ["metadata"] = new JsonObject { ["course_root"] = courseRoot },
    };

    /// <summary>The command that runs the course CLI of this repository.</summary>
    public static IReadOnlyList<string> CourseCommand(Repo repo) =>
        [Path.Combine(repo.Root, OperatingSystem.IsWindows() ? "course.cmd" : "course")];

    /// <summary>Writes the kernelspec; returns the kernel.json path.</summary>
    public static string Install(string dataFolder, JsonObject spec)
    {
        var folder = Folder(dataFolder);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "kernel.json");
        var options = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        File.WriteAllText(path, spec.ToJsonString(options) + "\n");
        return path;
    }

    /// <summary>Removes the kernelspec; false when it was not installed.</summary>
    public static bool Uninstall(string dataFolder)
    {
        var folder = Folder(dataFolder);
        if (!Directory.Exists(folder))
            return false;
        Directory.Delete(folder, recursive: true);
        return true;
    }
}
