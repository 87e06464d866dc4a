using System.CommandLine;
using Lab06.WebSocketServer;

// dotnet run --project solutions/Lab06.WebSocketServer -- --port 8080
// then open http://127.0.0.1:8080/ in a browser. Every limit and timer is an option (--help lists them).
var port = new Option<int>("--port") { Description = "TCP port to listen on (0: any free port).", DefaultValueFactory = _ => 8080 };
var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var maxMessage = new Option<int>("--max-message-size") { Description = "The longest message in bytes, across its fragments (1009 past it). A conformance run needs 16777216.", DefaultValueFactory = _ => FrameLimits.DefaultMaxMessageLength };
var maxFragments = new Option<int>("--max-fragments") { Description = "The most frames per message (1009 past it). A conformance run needs 65536.", DefaultValueFactory = _ => FrameLimits.DefaultMaxFragments };
var maxConnections = new Option<int>("--max-connections") { Description = "The most WebSocket connections at once (503 past it, before the upgrade).", DefaultValueFactory = _ => ServerOptions.Default.MaxConnections };
var maxBuffered = new Option<long>("--max-buffered") { Description = "Bytes that may wait to be sent to one client; a broadcast past it closes that client with 1008.", DefaultValueFactory = _ => WebSocketOptions.Default.MaxBufferedBytes };
var maxHead = new Option<int>("--max-head-size") { Description = "The longest handshake request head in bytes (431 past it).", DefaultValueFactory = _ => HandshakeLimits.Default.MaxHeadBytes };
var handshakeTimeout = new Option<double>("--handshake-timeout") { Description = "Seconds a client has to send its whole handshake (408 past it).", DefaultValueFactory = _ => HandshakeLimits.Default.Timeout.TotalSeconds };
var idleTimeout = new Option<double>("--idle-timeout") { Description = "Seconds without a message before a connection is closed with 1001 (0: never).", DefaultValueFactory = _ => 0 };
var keepAlive = new Option<double>("--keepalive-interval") { Description = "Seconds between pings (0: no keepalive).", DefaultValueFactory = _ => WebSocketOptions.Default.KeepAliveInterval.TotalSeconds };
var keepAliveTimeout = new Option<double>("--keepalive-timeout") { Description = "Seconds a pong may take before the connection fails with 1011.", DefaultValueFactory = _ => WebSocketOptions.Default.KeepAliveTimeout.TotalSeconds };
var closeTimeout = new Option<double>("--close-timeout") { Description = "Seconds a peer has to finish the closing handshake before it is dropped.", DefaultValueFactory = _ => WebSocketOptions.Default.CloseTimeout.TotalSeconds };
var shutdownTimeout = new Option<double>("--shutdown-timeout") { Description = "Seconds connections have to answer the 1001 on Ctrl+C or SIGTERM.", DefaultValueFactory = _ => ServerOptions.Default.ShutdownTimeout.TotalSeconds };
var origins = new Option<string[]>("--origin") { Description = "An Origin allowed besides this server's own page (repeat it for more).", AllowMultipleArgumentsPerToken = true };
var breakAccept = new Option<bool>("--break-accept") { Description = "Send a wrong Sec-WebSocket-Accept on every handshake, to see a browser refuse it (per request: ws://.../echo?break-accept)." };
var quiet = new Option<bool>("--quiet") { Description = "Log nothing but the listening line (for load tests)." };

var root = new RootCommand("Lab 06: the complete WebSocket server: the page at /, /echo and /chat, on one port.")
{
    port, host, maxMessage, maxFragments, maxConnections, maxBuffered, maxHead, handshakeTimeout, idleTimeout,
    keepAlive, keepAliveTimeout, closeTimeout, shutdownTimeout, origins, breakAccept, quiet,
};
root.SetAction(async (parse, cancellation) =>
{
    if (!IPAddress.TryParse(parse.GetValue(host), out var address))
    {
        Console.Error.WriteLine($"--host {parse.GetValue(host)} is not an IP address (try 127.0.0.1 or ::1).");
        return 2;
    }
    static TimeSpan Seconds(double s) => s > 0 ? TimeSpan.FromSeconds(s) : Timeout.InfiniteTimeSpan;
    ServerOptions options;
    try
    {
        options = new ServerOptions
        {
            Endpoint = new IPEndPoint(address, parse.GetValue(port)),
            MaxConnections = parse.GetValue(maxConnections),
            Origins = parse.GetValue(origins) ?? [],
            BreakAccept = parse.GetValue(breakAccept),
            ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(shutdownTimeout)),
            Handshake = HandshakeLimits.Default with { MaxHeadBytes = parse.GetValue(maxHead), Timeout = TimeSpan.FromSeconds(parse.GetValue(handshakeTimeout)) },
            WebSocket = new WebSocketOptions
            {
                Limits = new FrameLimits { MaxMessageLength = parse.GetValue(maxMessage), MaxFragments = parse.GetValue(maxFragments) },
                MaxBufferedBytes = parse.GetValue(maxBuffered),
                IdleTimeout = Seconds(parse.GetValue(idleTimeout)),
                KeepAliveInterval = Seconds(parse.GetValue(keepAlive)),
                KeepAliveTimeout = Seconds(parse.GetValue(keepAliveTimeout)),
                CloseTimeout = Seconds(parse.GetValue(closeTimeout)),
            },
        };
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine(e.Message);
        return 2;
    }
    await using var server = new WebSocketServer(options);
    bool verbose = !parse.GetValue(quiet);
    server.Log += line =>
    {
        if (verbose || line.StartsWith("listening", StringComparison.Ordinal))
            Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
    };
    server.Start();
    if (verbose)
    {
        var at = server.LocalEndPoint;
        Console.WriteLine($"""
            Try it:
              a browser:  http://{at}/   (the page talks to ws://{at}/echo and ws://{at}/chat)
              python3 -m websockets ws://{at}/echo        (Debian: apt install python3-websockets)
            Ctrl+C (or SIGTERM) closes every connection with 1001 and stops.
            """);
    }
    try
    {
        await Task.Delay(Timeout.Infinite, cancellation);
    }
    catch (OperationCanceledException)
    {
    }
    await server.ShutdownAsync();
    return 0;
});
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
return await root.Parse(args).InvokeAsync(configuration);
