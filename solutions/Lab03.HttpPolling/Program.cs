using System.CommandLine;
using System.Net;
using Lab03.HttpPolling;

// dotnet run --project solutions/Lab03.HttpPolling -- --port 8080
// then: curl -v http://127.0.0.1:8080/messages?since=0
var port = new Option<int>("--port") { Description = "TCP port to listen on (0: any free port).", DefaultValueFactory = _ => 8080 };
var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
var maxWait = new Option<double>("--max-wait") { Description = "The longest wait (seconds) a long poll may ask for.", DefaultValueFactory = _ => 60 };
var root = new RootCommand("Lab 03: the message feed over HTTP/1.1 (short and long polling), on raw sockets.") { port, host, maxWait };
root.SetAction(async (parse, cancellation) =>
{
    if (!IPAddress.TryParse(parse.GetValue(host), out var address))
    {
        Console.Error.WriteLine($"--host {parse.GetValue(host)} is not an IP address (try 127.0.0.1 or ::1).");
        return 2;
    }
    var app = new FeedApp(maxWait: TimeSpan.FromSeconds(parse.GetValue(maxWait)));
    await using var server = new HttpServer(new IPEndPoint(address, parse.GetValue(port)), app.HandleAsync);
    server.Log += line => Console.WriteLine($"{DateTime.Now:HH:mm:ss.fff} {line}");
    server.Start();
    var url = $"http://{server.LocalEndPoint}";
    Console.WriteLine($$"""
        Try it from another terminal:
          curl -v '{{url}}/messages?since=0'
          curl -v -d '{"text":"hello"}' -H 'Content-Type: application/json' {{url}}/messages
          curl -v '{{url}}/messages?since=1&wait=20'     (long poll: publish from a third terminal)
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
