using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lab03.HttpPolling;

/// <summary>One message of the feed: <c>{"id":3,"text":"hello"}</c>. Ids start at 1 and only go up.</summary>
/// <param name="Id">Its place in the feed: the n-th message published has id n.</param>
/// <param name="Text">What was said.</param>
public sealed record FeedMessage(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("text")] string Text);

/// <summary>The JSON bodies of the feed's requests and responses (RFC 8259).</summary>
public static class FeedJson
{
    /// <summary>
    /// Non-ASCII text is written as UTF-8, not as \uXXXX escapes, so that
    /// counting bytes measures the text and not an escaping choice.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary><c>{"id":3,"text":"hello"}</c></summary>
    public static string Write(FeedMessage message) => JsonSerializer.Serialize(message, Options);

    /// <summary><c>[{"id":3,"text":"hello"},{"id":4,"text":"hi"}]</c>, or <c>[]</c>.</summary>
    public static string Write(IReadOnlyList<FeedMessage> messages) => JsonSerializer.Serialize(messages, Options);

    /// <summary>The body of a publish request: <c>{"text":"hello"}</c>.</summary>
    public static string WritePublish(string text) => JsonSerializer.Serialize(new PublishRequest(text), Options);

    /// <summary>Reads a message, as POST answers it.</summary>
    public static FeedMessage ReadMessage(string json) =>
        JsonSerializer.Deserialize<FeedMessage>(json, Options) ?? throw new JsonException("Expected a message object, got null.");

    /// <summary>Reads a list of messages, as GET answers it.</summary>
    public static IReadOnlyList<FeedMessage> ReadMessages(string json) =>
        JsonSerializer.Deserialize<FeedMessage[]>(json, Options) ?? throw new JsonException("Expected an array of messages, got null.");

    /// <summary>The text of a publish request body, or an error message saying what is wrong with it.</summary>
    public static (string? Text, string? Error) ReadPublish(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                return (null, "expected a JSON object with a string \"text\", as in {\"text\": \"hello\"}");
            var value = text.GetString()!;
            return value.Length == 0 ? (null, "\"text\" is empty") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, $"the body is not JSON ({e.Message})");
        }
    }

    private sealed record PublishRequest([property: JsonPropertyName("text")] string Text);
}
