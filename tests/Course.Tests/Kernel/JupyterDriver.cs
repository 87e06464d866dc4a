using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Course.Kernel;
using Course.Grading;

namespace Course.Tests.Kernel;

/// <summary>
/// The course kernel, started and driven by jupyter_client (a real Jupyter
/// client this course did not write) through jupyter_driver.py: one JSON
/// command per line in, one JSON answer per line out, every wait bounded.
/// The kernelspec is written to a temporary JUPYTER_DATA_DIR and starts the
/// kernel from this test's build of the course CLI.
/// </summary>
public sealed class JupyterDriver : IAsyncDisposable
{
    public const string InstallHint =
        "These tests drive the kernel with Debian's python3-jupyter-client: sudo apt-get install python3-jupyter-client jupyter-nbconvert (or pip install jupyter_client nbconvert).";

    private static readonly Lazy<string?> PythonWithJupyter = new(FindPython);

    private readonly Process _process;
    private readonly TempFolder _data;
    private readonly StringBuilder _stderr = new();

    private JupyterDriver(Process process, TempFolder data)
    {
        _process = process;
        _data = data;
        _process.ErrorDataReceived += (_, e) => { lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
    }

    /// <summary>The python3 that can import jupyter_client; null when none can.</summary>
    public static string? Python => PythonWithJupyter.Value;

    /// <summary>Skips on a learner's machine without jupyter_client; in CI (CI=true) that is a failure instead.</summary>
    public static void SkipUnlessAvailable()
    {
        if (Python is not null)
            return;
        if (Environment.GetEnvironmentVariable("CI") == "true")
            throw new InvalidOperationException("CI=true but no python3 can import jupyter_client. " + InstallHint);
        Skip.If(true, InstallHint);
    }

    /// <summary>What the kernel and the driver wrote to stderr (the kernel logs there), for failure messages.</summary>
    public string Log
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Writes a kernelspec for this test build and a folder for it; returns the folder (for JUPYTER_DATA_DIR).</summary>
    public static TempFolder WriteKernelSpec()
    {
        var data = new TempFolder();
        var courseDll = Path.Combine(AppContext.BaseDirectory, "course.dll");
        var spec = KernelSpec.Create(["dotnet", courseDll], TestRepo.Course.Root);
        spec["env"] = new JsonObject { ["COURSE_ROOT"] = TestRepo.Course.Root };
        KernelSpec.Install(data.Path, spec);
        return data;
    }

    public static async Task<JupyterDriver> StartAsync()
    {
        var data = WriteKernelSpec();
        var start = new ProcessStartInfo(Python!, [Path.Combine(TestRepo.Course.Root, "tests", "Course.Tests", "Kernel", "jupyter_driver.py"), KernelSpec.Name])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestRepo.Course.Notebooks,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["JUPYTER_DATA_DIR"] = data.Path;
        start.Environment["PYTHONUNBUFFERED"] = "1";
        var driver = new JupyterDriver(Process.Start(start)!, data);
        var ready = await driver.SendAsync(new JsonObject { ["op"] = "wait_for_ready", ["timeout"] = 60 }, TimeSpan.FromSeconds(70));
        ready["ok"]!.GetValue<bool>().ShouldBeTrue($"the kernel did not answer kernel_info within 60 s: {ready}\n{driver.Log}");
        return driver;
    }

    /// <summary>Sends one command and waits (bounded) for its answer.</summary>
    public async Task<JsonObject> SendAsync(JsonObject command, TimeSpan? bound = null)
    {
        var op = command["op"]!.GetValue<string>();
        var limit = bound ?? TimeSpan.FromSeconds(45);
        command["timeout"] ??= Math.Max(1, limit.TotalSeconds - 10);
        await _process.StandardInput.WriteLineAsync(command.ToJsonString());
        await _process.StandardInput.FlushAsync();
        var line = await _process.StandardOutput.ReadLineAsync()
            .Within(limit, $"jupyter_driver.py's answer to '{op}'", () => Log);
        line.ShouldNotBeNull($"jupyter_driver.py ended before answering '{op}':\n{Log}");
        return (JsonObject)JsonNode.Parse(line)!;
    }

    /// <summary>Runs a cell; the answer has the reply, the IOPub messages up to idle, and whether it timed out.</summary>
    public async Task<KernelExchange> ExecuteAsync(string code, TimeSpan? bound = null)
    {
        var answer = await SendAsync(new JsonObject { ["op"] = "execute", ["code"] = code }, bound);
        return KernelExchange.From(answer, Log);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                await SendAsync(new JsonObject { ["op"] = "quit" }, TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync().Within(TimeSpan.FromSeconds(15), "jupyter_driver.py to stop its kernel and exit");
        }
        catch (Exception)
        {
            // The test has already failed or finished; never leave the processes behind.
        }
        finally
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            _process.Dispose();
            _data.Dispose();
        }
    }

    private static string? FindPython()
    {
        // Debian's packages are for Debian's python3; a pyenv python3 on PATH may come first.
        foreach (var candidate in new[] { "/usr/bin/python3", "python3" })
        {
            try
            {
                var probe = ProcessRunner.RunAsync(candidate, ["-c", "import jupyter_client"], Path.GetTempPath(), TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
                if (probe.ExitCode == 0)
                    return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed: try the next one.
            }
        }
        return null;
    }
}

/// <summary>One request's outcome as a client saw it: the reply and the IOPub messages up to status idle.</summary>
public sealed record KernelExchange(JsonObject? Reply, IReadOnlyList<JsonObject> IOPub, bool TimedOut, string Log)
{
    public static KernelExchange From(JsonObject answer, string log) => new(
        answer["reply"] as JsonObject,
        answer["iopub"]!.AsArray().Select(m => (JsonObject)m!).ToList(),
        answer["timed_out"]!.GetValue<bool>(),
        log);

    public JsonObject ReplyContent => (JsonObject)Reply.ShouldNotBeNull($"no reply within the bound.\nIOPub: {Describe()}\nLog:\n{Log}")["content"]!;

    public string Status => ReplyContent["status"]!.GetValue<string>();

    /// <summary>The IOPub message types in order, e.g. "status execute_input stream execute_result status".</summary>
    public string Types => string.Join(' ', IOPub.Select(m => m["msg_type"]!.GetValue<string>()));

    public IEnumerable<JsonObject> Of(string type) => IOPub.Where(m => m["msg_type"]!.GetValue<string>() == type).Select(m => (JsonObject)m["content"]!);

    public string Stdout => string.Concat(Of("stream").Where(c => c["name"]!.GetValue<string>() == "stdout").Select(c => c["text"]!.GetValue<string>()));

    public string Describe() => string.Join("\n", IOPub.Select(m => m.ToJsonString()));
}
