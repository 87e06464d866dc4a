using System.Buffers;
using System.Net.Sockets;
using Lab01.SocketEcho;

namespace Lab03.HttpPolling;

/// <summary>One connection: requests in, responses out, until one side closes.</summary>
public sealed partial class HttpServer
{
    private const int BufferSize = 16 * 1024;

    /// <summary>Serves one client from accept to close; never throws (a bad client ends only its own connection).</summary>
    private async Task ServeConnectionAsync(Socket client, CancellationToken stopping)
    {
        string peer = client.PeerName();
        Interlocked.Increment(ref _connectionCount);
        Emit($"{peer} connected");
        try
        {
            await ServeRequestsAsync(client, peer, stopping).ConfigureAwait(false);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            Emit($"{peer}: closed by StopAsync");
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            Emit($"{peer} reset the connection ({e.SocketErrorCode})");
        }
        catch (OperationCanceledException)
        {
            Emit($"{peer} did not take its response within {_options.SendTimeout.TotalSeconds:0.##} s; closed");
        }
        catch (Exception e)
        {
            Emit($"{peer}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            client.Dispose();
            Interlocked.Decrement(ref _connectionCount);
            Emit($"{peer} closed");
        }
    }

    /// <summary>
    /// The keep-alive loop (RFC 9112 §9.3): read a request, answer it, and
    /// go on with the next one on the same connection, until the client says
    /// <c>Connection: close</c>, closes, or breaks the protocol.
    /// </summary>
    /// <remarks>
    /// Requests are answered in the order they came, one at a time: a
    /// pipelining client (several requests sent before any response) gets its
    /// responses in the same order (RFC 9112 §9.3.2), because the parser keeps
    /// the bytes after each request for the next round.
    /// </remarks>
    private async Task ServeRequestsAsync(Socket client, string peer, CancellationToken stopping)
    {
        var parser = new HttpRequestParser(_options.Limits);
        // BEGIN SOLUTION
        while (true)
        {
            HttpRequest? request;
            try
            {
                request = await ReceiveRequestAsync(client, peer, parser, stopping).ConfigureAwait(false);
            }
            catch (RequestRejectedException rejected)
            {
                // The byte stream cannot be trusted past a bad request: answer it, then close.
                Emit($"{peer} rejected: {rejected.Status} {rejected.Message}");
                await SendResponseAsync(client, HttpResponse.For(rejected), close: true, headRequest: false, stopping).ConfigureAwait(false);
                await CloseAfterResponseAsync(client).ConfigureAwait(false);
                return;
            }
            if (request is null)
                return; // the client closed, or stayed idle too long

            var response = await HandleAsync(request, peer, stopping).ConfigureAwait(false);
            if (response.Upgrade is not null)
            {
                // After a 101 the connection speaks another protocol: HTTP on it ends here (RFC 9110 §7.8).
                await SwitchProtocolsAsync(client, peer, request, response, parser, stopping).ConfigureAwait(false);
                return;
            }
            bool close = !request.KeepAlive;
            await SendResponseAsync(client, response, close, request.IsHead, stopping).ConfigureAwait(false);
            Emit($"{peer} {request.Method} {request.Target} → {response.Status}, {response.Body.Length} body bytes{(close ? ", closing" : "")}");
            if (close)
            {
                await CloseAfterResponseAsync(client).ConfigureAwait(false);
                return;
            }
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 03 · step 5: loop: HttpRequest? request = await ReceiveRequestAsync(client, peer, parser, stopping) (null: the client is gone, return); answer it: var response = await HandleAsync(request, peer, stopping); if response.Upgrade is not null (a 101): await SwitchProtocolsAsync(client, peer, request, response, parser, stopping) and return, for the connection is no longer HTTP (RFC 9110 §7.8; used from Lab 04 on); else close = !request.KeepAlive; await SendResponseAsync(client, response, close, request.IsHead, stopping); if close, await CloseAfterResponseAsync(client) and return; else go round for the next request on the same connection. A RequestRejectedException: send HttpResponse.For(it) with close: true, then CloseAfterResponseAsync. Notebook 03 §4, RFC 9112 §9.3.");
    }

    /// <summary>
    /// Receives one request with a read buffer borrowed from the pool for that
    /// request only: a connection that waits (upgraded to WebSocket for hours,
    /// Lab 06) holds no buffer of its own.
    /// </summary>
    private async Task<HttpRequest?> ReceiveRequestAsync(Socket client, string peer, HttpRequestParser parser, CancellationToken stopping)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            return await ReceiveRequestAsync(client, peer, parser, buffer, stopping).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Receives until the parser has a complete request. Returns null when the
    /// client closes between requests, or stays idle past <see cref="HttpServerOptions.IdleTimeout"/>.
    /// </summary>
    /// <exception cref="RequestRejectedException">A bad request, or one not complete within <see cref="HttpServerOptions.RequestTimeout"/> of its first byte (408).</exception>
    private async Task<HttpRequest?> ReceiveRequestAsync(Socket client, string peer, HttpRequestParser parser, byte[] buffer, CancellationToken stopping)
    {
        var clock = _options.Clock;
        // A pipelined request may already have started in the bytes held.
        long? requestStarted = parser.HasPartialRequest ? clock.GetTimestamp() : null;
        long idleSince = clock.GetTimestamp();
        HttpRequest? request;
        // BEGIN SOLUTION
        while (!parser.TryRead(out request))
        {
            // The deadline of a request runs from its first byte, not from the
            // last read: a client that trickles a byte now and then (Slowloris)
            // still runs out of time.
            var remaining = requestStarted is { } started
                ? _options.RequestTimeout - clock.GetElapsedTime(started)
                : _options.IdleTimeout - clock.GetElapsedTime(idleSince);
            int received;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping))
            {
                deadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
                try
                {
                    received = await client.ReceiveAsync(buffer, SocketFlags.None, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    if (requestStarted is null)
                    {
                        Emit($"{peer} idle for {_options.IdleTimeout.TotalSeconds:0.##} s; closing");
                        return null;
                    }
                    throw new RequestRejectedException(RequestError.Timeout,
                        $"The request was not complete {_options.RequestTimeout.TotalSeconds:0.##} s after its first byte.");
                }
            }
            if (received == 0)
            {
                if (parser.HasPartialRequest)
                    Emit($"{peer} closed in the middle of a request ({parser.BufferedByteCount} bytes held)");
                return null;
            }
            Interlocked.Add(ref _bytesReceived, received);
            requestStarted ??= clock.GetTimestamp();
            parser.Feed(buffer.AsSpan(0, received));
        }
        // END SOLUTION
        // STARTER: throw new NotImplementedException("Lab 03 · step 6: while !parser.TryRead(out request): receive with a deadline: a CancellationTokenSource linked to stopping, CancelAfter(the time left: RequestTimeout from requestStarted once a request has begun, else IdleTimeout from idleSince). Cancelled with no request begun: return null (idle); with one begun: throw new RequestRejectedException(RequestError.Timeout, ...) (408). 0 bytes: return null (the client closed). Else add to _bytesReceived, set requestStarted ??= clock.GetTimestamp(), parser.Feed(buffer[..received]). Notebook 03 §4.");
        return request;
    }

    /// <summary>
    /// Sends the 101 and hands the connection, with the bytes that came after
    /// the request, to the response's <see cref="HttpResponse.Upgrade"/>
    /// handler; returns when that handler ends (the caller then closes).
    /// </summary>
    private async Task SwitchProtocolsAsync(Socket client, string peer, HttpRequest request, HttpResponse response, HttpRequestParser parser, CancellationToken stopping)
    {
        await SendResponseAsync(client, response, close: false, headRequest: false, stopping).ConfigureAwait(false);
        Emit($"{peer} {request.Method} {request.Target} → 101, switching to {response.Headers.Get("Upgrade")}");
        var connection = new UpgradedConnection(client, peer, request, parser.TakeBuffered());
        try
        {
            await response.Upgrade!(connection, stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && e is not SocketException)
        {
            // The new protocol's own failure: HTTP cannot answer it any more, so log it and close.
            Emit($"{peer}: the upgraded connection's handler threw {e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>Runs the application; an exception becomes 500 with no internals in it (they go to the log).</summary>
    private async Task<HttpResponse> HandleAsync(HttpRequest request, string peer, CancellationToken stopping)
    {
        try
        {
            var response = await _handler(request, stopping).ConfigureAwait(false);
            // RFC 9110 §7.8: a server switches only to a protocol the client
            // asked for in Upgrade, and never for HTTP/1.0 (§15.2.2): an
            // application that would is wrong, which is a 500.
            if (response.Upgrade is not null && (request.Version < HttpVersion.Version11 || !request.Headers.Contains("Upgrade") || request.IsHead))
                throw new InvalidOperationException($"The handler answered 101 to a request that cannot be upgraded ({request.Method}, HTTP/{request.Version}, Upgrade: {request.Headers.Get("Upgrade") ?? "absent"}).");
            return response;
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            Emit($"{peer} {request.Method} {request.Target}: the handler threw {e.GetType().Name}: {e.Message}");
            return HttpResponse.Text(HttpStatus.InternalServerError, "500 Internal Server Error: the server failed to answer this request.");
        }
    }

    /// <summary>Writes a response (with Lab 01's SendAllAsync), bounded by <see cref="HttpServerOptions.SendTimeout"/>.</summary>
    private async Task SendResponseAsync(Socket client, HttpResponse response, bool close, bool headRequest, CancellationToken stopping)
    {
        var bytes = HttpResponseWriter.Serialize(response, _options.Clock.GetUtcNow(), close, headRequest);
        // Counted before the send: once the client has the response, the count already includes it.
        Interlocked.Increment(ref _requests);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(_options.SendTimeout);
        await client.SendAllAsync(bytes, deadline.Token).ConfigureAwait(false);
        Interlocked.Add(ref _bytesSent, bytes.Length);
    }

    /// <summary>
    /// Closes after the last response without losing it: send FIN first, then
    /// read and drop what the client still sends, until its FIN or 1 s.
    /// </summary>
    /// <remarks>
    /// Closing a socket that holds unread bytes sends RST, and a client that
    /// receives RST may throw away the response it had not read yet. RFC 9112
    /// §9.6 describes this "lingering close": half-close, then drain.
    /// </remarks>
    private static async Task CloseAfterResponseAsync(Socket client)
    {
        try
        {
            client.Shutdown(SocketShutdown.Send);
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var sink = new byte[4096];
            for (int total = 0; total < 1 << 20;)
            {
                int n = await client.ReceiveAsync(sink, SocketFlags.None, drain.Token).ConfigureAwait(false);
                if (n == 0)
                    break;
                total += n;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client reset or did not close in time: nothing more to do.
        }
    }
}
