using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lab06.WebSocketServer;

/// <summary>
/// The room behind <c>/chat</c>: every text message a member sends goes to
/// every member (the sender too), with a notice when someone joins or
/// leaves. Each member gets them in the subprotocol it negotiated
/// (RFC 6455 §1.9): <c>chat</c>, plain text lines, or <c>json</c>, one object
/// per message with the sender's id and the time. A client that offered
/// neither is spoken to in <c>chat</c>.
/// </summary>
public sealed class ChatRoom(TimeProvider? time = null)
{
    private readonly TimeProvider clock = time ?? TimeProvider.System;
    // One order for everyone: joins, leaves and messages are broadcast one at
    // a time, so every member sees them in the same order, with counts that
    // add up. Broadcast never waits (TrySend), so the lock is held briefly.
    private readonly object gate = new();

    // JSON as people write it: "é" and quotes as they are, not \u00e9 and \u0022
    // (the default escaping guards HTML pages; these messages never go into one unescaped).
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The subprotocols the room speaks, in the server's order of preference.</summary>
    public static IReadOnlyList<string> Subprotocols { get; } = ["chat", "json"];

    /// <summary>The members.</summary>
    public ConnectionPool Members { get; } = new();

    /// <summary>
    /// A new member: it joins <see cref="Members"/>, and everyone (the
    /// newcomer too) gets a join notice with the count. Call before the
    /// connection runs; its first messages wait in its send queue.
    /// </summary>
    public void Join(WebSocketConnection connection)
    {
        // BEGIN SOLUTION
        lock (gate)
        {
            Members.Add(connection);
            Announce("join", connection);
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 14: under lock (gate), so that every member sees one order: Members.Add(connection), then Announce(\"join\", connection) so that everyone, the newcomer too, learns of it. Notebook 06 §7.");
    }

    /// <summary>A member left, whatever the way (a close, a reset, a failure): it leaves <see cref="Members"/> and the others get a leave notice.</summary>
    public void Leave(WebSocketConnection connection, ConnectionClosed closed)
    {
        // BEGIN SOLUTION
        lock (gate)
        {
            if (Members.Remove(connection, closed))
                Announce("leave", connection);
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 06 · step 14: under lock (gate): if Members.Remove(connection, closed) took it out, Announce(\"leave\", connection) to those left. Notebook 06 §7.");
    }

    /// <summary>A member's message (the <see cref="MessageHandler"/> of /chat): text goes to everyone; binary is refused with 1003 (the room speaks text, RFC 6455 §7.4.1).</summary>
    public ValueTask OnMessageAsync(WebSocketConnection from, Message message, CancellationToken cancellation)
    {
        if (message.Type == MessageType.Binary)
        {
            _ = from.CloseAsync(new CloseStatus(CloseCode.UnsupportedData, "the chat room takes text only"));
            return ValueTask.CompletedTask;
        }
        var text = message.Text;
        if (from.Subprotocol == "json")
        {
            if (!TryReadJsonText(text, out var said))
            {
                from.TrySend(Message.FromText(JsonSerializer.Serialize(new { type = "error", error = "send {\"text\": \"...\"}" }, Json)));
                return ValueTask.CompletedTask;
            }
            text = said;
        }
        var plain = Message.FromText($"{from.ShortId}: {text}");
        var json = Message.FromText(JsonSerializer.Serialize(new { type = "message", from = from.Id, time = Time(clock.GetUtcNow()), text }, Json));
        lock (gate)
            Broadcast(plain, json);
        return ValueTask.CompletedTask;
    }

    /// <summary>"→ 3f2a9c1d joined (2 here)" to chat members, {"type":"join",...} to json members. Called under the lock.</summary>
    private void Announce(string what, WebSocketConnection who)
    {
        var now = clock.GetUtcNow();
        int count = Members.Count;
        var plain = what == "join" ? $"→ {who.ShortId} joined ({count} here)" : $"← {who.ShortId} left ({count} here)";
        Broadcast(Message.FromText(plain), Message.FromText(JsonSerializer.Serialize(new { type = what, id = who.Id, time = Time(now), count }, Json)));
    }

    /// <summary>One event to every member, in the form of its subprotocol. Called under the lock.</summary>
    private void Broadcast(Message plain, Message json)
    {
        Members.Broadcast(plain, c => !IsJson(c));
        Members.Broadcast(json, IsJson);
    }

    private static bool IsJson(WebSocketConnection connection) => connection.Subprotocol == "json";

    private static string Time(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>{"text": "hello"} → hello; anything else → false.</summary>
    private static bool TryReadJsonText(string json, out string text)
    {
        text = "";
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
            {
                text = value.GetString()!;
                return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }
}
