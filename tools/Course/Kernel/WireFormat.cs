using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Course.Kernel;

/// <summary>What decoding a multipart ZeroMQ message gave: a message, or why it was dropped.</summary>
public sealed record Decoded(JupyterMessage? Message, string? Error)
{
    public static Decoded Fail(string error) => new(null, error);
}

/// <summary>
/// Jupyter messages to and from ZeroMQ frames (messaging 5.3, "The Wire
/// Protocol"): <c>[identities…, "&lt;IDS|MSG&gt;", signature, header,
/// parent_header, metadata, content, buffers…]</c>. Pure functions over
/// bytes (no sockets), so every kind of bad input is unit-tested.
/// </summary>
public static class WireFormat
{
    public static readonly byte[] Delimiter = "<IDS|MSG>"u8.ToArray();

    public static List<byte[]> Encode(JupyterMessage message, MessageSigner signer)
    {
        byte[][] parts =
        [
            Json(message.Header), Json(message.ParentHeader), Json(message.Metadata), Json(message.Content),
        ];
        var frames = new List<byte[]>(message.Identities);
        frames.Add(Delimiter);
        frames.Add(Encoding.ASCII.GetBytes(signer.Sign(parts)));
        frames.AddRange(parts);
        frames.AddRange(message.Buffers);
        return frames;
    }

    /// <summary>Never throws: a message that is malformed or wrongly signed is an error, to log and drop.</summary>
    public static Decoded Decode(IReadOnlyList<byte[]> frames, MessageSigner signer)
    {
        try
        {
            return DecodeOrThrow(frames, signer);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or JsonException)
        {
            // e.g. a header whose strings hold a lone surrogate ("\ud800"): valid JSON, not valid text.
            return Decoded.Fail($"malformed ({e.GetType().Name}: {e.Message})");
        }
    }

    private static Decoded DecodeOrThrow(IReadOnlyList<byte[]> frames, MessageSigner signer)
    {
        var delimiter = -1;
        for (var i = 0; i < frames.Count && delimiter < 0; i++)
        {
            if (frames[i].AsSpan().SequenceEqual(Delimiter))
                delimiter = i;
        }
        if (delimiter < 0)
            return Decoded.Fail($"no <IDS|MSG> delimiter among its {frames.Count} frames");
        var rest = frames.Count - delimiter - 1;
        if (rest < 5)
            return Decoded.Fail($"truncated: {rest} frames after <IDS|MSG>, expected at least 5 (signature, header, parent_header, metadata, content)");

        var signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        var parts = frames.Skip(delimiter + 2).Take(4).ToArray();
        if (!signer.Verify(signature, parts))
            return Decoded.Fail("bad signature (HMAC-SHA256 with the connection file's key does not match)");

        var dictionaries = new JsonObject[4];
        string[] names = ["header", "parent_header", "metadata", "content"];
        for (var i = 0; i < 4; i++)
        {
            try
            {
                if (JsonNode.Parse(parts[i]) is not JsonObject obj)
                    return Decoded.Fail($"its {names[i]} is not a JSON object");
                dictionaries[i] = obj;
            }
            catch (JsonException e)
            {
                return Decoded.Fail($"its {names[i]} is not valid JSON ({e.Message})");
            }
        }
        var message = new JupyterMessage(frames.Take(delimiter).ToList(), dictionaries[0], dictionaries[1], dictionaries[2], dictionaries[3], frames.Skip(delimiter + 6).ToList());
        if (message.Type.Length == 0 || message.Id.Length == 0)
            return Decoded.Fail("its header has no msg_type or msg_id");
        return new Decoded(message, null);
    }

    private static byte[] Json(JsonObject obj) => Encoding.UTF8.GetBytes(obj.ToJsonString());
}
