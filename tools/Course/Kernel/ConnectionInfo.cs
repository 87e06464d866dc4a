using System.Text.Json;
using System.Text.Json.Nodes;

namespace Course.Kernel;

/// <summary>
/// The connection file a Jupyter client writes before it starts the kernel
/// (Jupyter client docs, "Connection files"): where to bind each socket, and
/// the key to sign messages with.
/// </summary>
public sealed record ConnectionInfo(string Transport, string Ip, int ShellPort, int IOPubPort, int StdinPort, int ControlPort, int HeartbeatPort, string Key)
{
    public static ConnectionInfo Load(string path)
    {
        if (!File.Exists(path))
            throw new CourseException($"Connection file not found: {path} (Jupyter writes it and passes its path to the kernel).");
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new CourseException($"{path} is not a JSON object.");
            var scheme = json["signature_scheme"]?.GetValue<string>() ?? "hmac-sha256";
            if (scheme != "hmac-sha256")
                throw new CourseException($"{path}: signature_scheme '{scheme}' is not supported; the kernel signs with hmac-sha256.");
            return new ConnectionInfo(
                json["transport"]?.GetValue<string>() ?? "tcp",
                json["ip"]?.GetValue<string>() ?? "127.0.0.1",
                Port(json, "shell_port", path), Port(json, "iopub_port", path), Port(json, "stdin_port", path),
                Port(json, "control_port", path), Port(json, "hb_port", path),
                json["key"]?.GetValue<string>() ?? "");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new CourseException($"{path} is not a valid connection file: {e.Message}");
        }
    }

    /// <summary>A ZeroMQ address for one socket: tcp://127.0.0.1:5555, or ipc://path-5555.</summary>
    public string Address(int port) => Transport == "ipc" ? $"ipc://{Ip}-{port}" : $"{Transport}://{Ip}:{port}";

    private static int Port(JsonObject json, string name, string path) =>
        json[name]?.GetValue<int>() ?? throw new CourseException($"{path} has no {name}.");
}
