using System.Globalization;
using System.Text.Json.Nodes;

namespace Course.Kernel;

/// <summary>The kernel's sockets (Jupyter messaging, "Introduction").</summary>
public enum Channel
{
    /// <summary>Requests from clients (execute, complete, kernel_info...); replies go back on it.</summary>
    Shell,
    /// <summary>Like shell, but for interrupt and shutdown, which must not wait behind a running cell.</summary>
    Control,
    /// <summary>Broadcast: status, outputs, execute_input.</summary>
    IOPub,
    /// <summary>The kernel asking the front end for input (not used by this kernel).</summary>
    Stdin,
}

/// <summary>
/// One Jupyter message (messaging protocol 5.3, "General message format"):
/// the routing identities, header, parent header, metadata, content, and any
/// binary buffers. The four dictionaries stay JSON, as on the wire.
/// </summary>
public sealed record JupyterMessage(
    IReadOnlyList<byte[]> Identities,
    JsonObject Header,
    JsonObject ParentHeader,
    JsonObject Metadata,
    JsonObject Content,
    IReadOnlyList<byte[]> Buffers)
{
    public const string ProtocolVersion = "5.3";

    /// <summary>The channel a request came in on (shell or control); its reply goes back there.</summary>
    public Channel Channel { get; init; } = Channel.Shell;

    public string Type => Text(Header, "msg_type");
    public string Id => Text(Header, "msg_id");
    public string Session => Text(Header, "session");

    /// <summary>A string field of the content, or <paramref name="fallback"/> when missing or not a string.</summary>
    public string ContentText(string name, string fallback = "") => Content[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : fallback;

    public bool ContentFlag(string name, bool fallback) => Content[name] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;

    public int ContentNumber(string name, int fallback) => Content[name] is JsonValue v && v.TryGetValue<int>(out var n) ? n : fallback;

    /// <summary>
    /// A new message from the kernel. A reply or output names its request as
    /// parent; shell and control replies go back to the request's identities.
    /// </summary>
    public static JupyterMessage Create(string type, JsonObject content, string session, JupyterMessage? parent = null, IReadOnlyList<byte[]>? identities = null) =>
        new(identities ?? [],
            new JsonObject
            {
                ["msg_id"] = Guid.NewGuid().ToString("N"),
                ["session"] = session,
                ["username"] = "kernel",
                ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
                ["msg_type"] = type,
                ["version"] = ProtocolVersion,
            },
            parent is null ? [] : (JsonObject)parent.Header.DeepClone(),
            [],
            content,
            []);

    /// <summary>The reply to this request (kernel_info_request → kernel_info_reply), routed back to its sender.</summary>
    public JupyterMessage Reply(JsonObject content, string session) =>
        Create(Type.EndsWith("_request", StringComparison.Ordinal) ? Type[..^"_request".Length] + "_reply" : Type + "_reply", content, session, this, Identities);

    private static string Text(JsonObject obj, string name) => obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
