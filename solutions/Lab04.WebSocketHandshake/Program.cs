using System.CommandLine;
using System.Net;
using Lab03.HttpPolling;
using Lab04.WebSocketHandshake;

// dotnet run --project solutions/Lab04.WebSocketHandshake -- --port 8080
// then open http://127.0.0.1:8080/ in a browser, or see the handshake with curl (printed below).
var port = new Option<int>("--port") { Description = "TCP port to listen on (0: any free port).", DefaultValueFactory = _ => 8080 };
var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var origins = new Option<string[]>("--origin") { Description = "An Origin allowed besides this server's own pages (repeat it for more), e.g. http://localhost:3000.", AllowMultipleArgumentsPerToken = true };
var subprotocols = new Option<string[]>("--subprotocol") { Description = "A subprotocol /echo accepts (repeat it for more).", DefaultValueFactory = _ => ["chat", "json"], AllowMultipleArgumentsPerToken = true };
var timeout = new Option<double>("--handshake-timeout") { Description = "Seconds a client has to send its whole handshake.", DefaultValueFactory = _ => 5 };
var root = new RootCommand("Lab 04: the Lab 03 server with WebSocket handshakes on /echo, on the same port.") { port, host, origins, subprotocols, timeout };
root.SetAction(async (parse, cancellation) =>
{
    if (!IPAddress.TryParse(parse.GetValue(host), out var address))
    {
        Console.Error.WriteLine($"--host {parse.GetValue(host)} is not an IP address (try 127.0.0.1 or ::1).");
        return 2;
    }
    var policy = new HandshakePolicy
    {
        Subprotocols = parse.GetValue(subprotocols) ?? [],
        Origins = OriginPolicy.Allow(parse.GetValue(origins) ?? []),
    };
    var demo = new HandshakeDemo(policy: policy);
    var limits = HandshakeLimits.Default with { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)) };
    void Print(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
    demo.Log += Print;
    await using var server = new HttpServer(new IPEndPoint(address, parse.GetValue(port)), demo.Endpoints.HandleAsync, limits.ServerOptions());
    server.Log += Print;
    server.Start();
    var http = $"http://{server.LocalEndPoint}";
    Console.WriteLine($$"""
        Try it:
          a browser: {{http}}/  (the page opens ws://{{server.LocalEndPoint}}/echo)
          curl -i -N -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' \
               -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Protocol: chat' {{http}}/echo
          (the 101 carries Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=; Ctrl+C ends curl)
          curl -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 8' \
               -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' {{http}}/echo      (426)
          curl -i '{{http}}/messages?since=0'     (the Lab 03 feed, same port)
        Ctrl+C stops the server.
        """);
    try
    {
        await Task.Delay(Timeout.Infinite, cancellation);
    }
    catch (OperationCanceledException)
    {
    }
    return 0;
});
return await root.Parse(args).InvokeAsync();
