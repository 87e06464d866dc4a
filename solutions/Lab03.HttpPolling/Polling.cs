namespace Lab03.HttpPolling;

/// <summary>
/// The two ways a client learns about new messages over plain HTTP: ask
/// again and again (short polling), or ask and let the server hold the
/// question until there is an answer (long polling, also called Comet).
/// </summary>
/// <remarks>
/// Both loops remember the id of the last message delivered and ask for the
/// messages after it: that is what makes them deliver every message exactly
/// once, in order, however requests and publishes interleave.
/// </remarks>
public static class Polling
{
    /// <summary>
    /// Short polling: GET the messages after the last one seen, deliver them,
    /// sleep <paramref name="interval"/>, again, until cancelled. A message
    /// waits on the server for up to one interval before anyone asks for it.
    /// </summary>
    /// <returns>The id of the last message delivered when cancelled.</returns>
    public static async Task<long> ShortPollAsync(FeedClient client, TimeSpan interval, Action<FeedMessage> deliver,
        long since = 0, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(deliver);
        try
        {
            // BEGIN SOLUTION
            while (true)
            {
                foreach (var message in await client.GetAsync(since, wait: null, cancellation).ConfigureAwait(false))
                {
                    deliver(message);
                    since = message.Id;
                }
                await Task.Delay(interval, cancellation).ConfigureAwait(false);
            }
            // END SOLUTION
            // STARTER: throw new NotImplementedException("Lab 03 · step 9: loop: foreach message in await client.GetAsync(since, wait: null, cancellation): deliver(message) and since = message.Id; then await Task.Delay(interval, cancellation). Notebook 03 §6.");
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return since;
        }
    }

    /// <summary>
    /// Long polling: GET the messages after the last one seen with
    /// <c>wait</c>; the server answers as soon as there is one (or with none
    /// when the wait is over); deliver them and ask again at once.
    /// </summary>
    /// <returns>The id of the last message delivered when cancelled.</returns>
    public static async Task<long> LongPollAsync(FeedClient client, TimeSpan wait, Action<FeedMessage> deliver,
        long since = 0, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(deliver);
        try
        {
            // BEGIN SOLUTION
            while (true)
            {
                // No sleep: the next question is asked as soon as the answer
                // comes, so the server always holds one for us.
                foreach (var message in await client.GetAsync(since, wait, cancellation).ConfigureAwait(false))
                {
                    deliver(message);
                    since = message.Id;
                }
            }
            // END SOLUTION
            // STARTER: throw new NotImplementedException("Lab 03 · step 9: loop with no sleep: foreach message in await client.GetAsync(since, wait, cancellation): deliver(message) and since = message.Id. The server holds each request until there is a message after since, or wait is over. Notebook 03 §6.");
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return since;
        }
    }
}
