namespace Lab07.WebSocketClient;

/// <summary>Raising the events: one at a time, and a handler's exception never breaks the connection.</summary>
public sealed partial class WebSocketClient
{
    /// <summary>The client whose handler is running on this flow, to catch a handler that would wait for its own connection.</summary>
    private static readonly AsyncLocal<WebSocketClient?> RunningHandlerOf = new();

    private void Raise(Action? handler) => Raise(handler is null ? null : (bool _) => handler(), true, nameof(OnOpen));

    private void Raise(Action<MessageEvent>? handler, MessageEvent e) => Raise(handler, e, nameof(OnMessage));

    private void Raise(Action<ErrorEvent>? handler, ErrorEvent e) => Raise(handler, e, nameof(OnError));

    private void Raise(Action<CloseEvent>? handler, CloseEvent e) => Raise(handler, e, nameof(OnClose));

    private void Raise<T>(Action<T>? handler, T e, string name)
    {
        if (handler is null)
            return;
        var outer = RunningHandlerOf.Value;
        RunningHandlerOf.Value = this;
        try
        {
            handler(e);
        }
        catch (Exception exception)
        {
            // The browser reports an exception in an event handler to its console and goes on.
            Console.Error.WriteLine($"WebSocketClient {Url}: the {name} handler threw; the connection goes on. {exception}");
        }
        finally
        {
            RunningHandlerOf.Value = outer;
        }
    }

    /// <summary>Refuses to wait for the connection from inside one of its own handlers: the read loop runs the handler, and would wait for itself.</summary>
    private void ThrowIfInHandler(string what)
    {
        if (RunningHandlerOf.Value == this)
            throw new InvalidOperationException(
                $"{what} was called from one of this client's event handlers. Handlers run on the connection's read loop, so waiting there for the connection waits for itself. In a handler, use Send and Close, which do not wait.");
    }
}
