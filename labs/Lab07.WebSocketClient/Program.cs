using System.CommandLine;
using Lab07.WebSocketClient;

// dotnet run --project solutions/Lab07.WebSocketClient -- echo ws://127.0.0.1:8080/echo
// dotnet run --project solutions/Lab07.WebSocketClient -- chat ws://127.0.0.1:8080/chat
var url = new Argument<string>("url") { Description = "The server: ws://host:port/path (wss:// comes in Lab 09)." };
var maxMessage = new Option<int>("--max-message-size") { Description = "The longest message in bytes (1009 past it, decided from the frame header).", DefaultValueFactory = _ => WebSocketClientOptions.ClientDefaults.Limits.MaxMessageLength };
var maxFragments = new Option<int>("--max-fragments") { Description = "The most frames per message (1009 past it).", DefaultValueFactory = _ => WebSocketClientOptions.ClientDefaults.Limits.MaxFragments };
var connectTimeout = new Option<double>("--connect-timeout") { Description = "Seconds for TCP and the opening handshake.", DefaultValueFactory = _ => new WebSocketClientOptions().ConnectTimeout.TotalSeconds };
var closeTimeout = new Option<double>("--close-timeout") { Description = "Seconds the server has to answer a close and close TCP before this client closes it.", DefaultValueFactory = _ => WebSocketClientOptions.ClientDefaults.CloseTimeout.TotalSeconds };
var quiet = new Option<bool>("--quiet") { Description = "Do not print the messages, only how the connection ended." };

WebSocketClientOptions OptionsFrom(ParseResult parse) => new()
{
    ConnectTimeout = Seconds(parse.GetValue(connectTimeout), "--connect-timeout"),
    Connection = WebSocketClientOptions.ClientDefaults with
    {
        Limits = new FrameLimits { MaxMessageLength = parse.GetValue(maxMessage), MaxFragments = parse.GetValue(maxFragments) },
        CloseTimeout = Seconds(parse.GetValue(closeTimeout), "--close-timeout"),
    },
};

// A timeout of 0 or less would mean "wait for ever" to the pump: refuse it.
static TimeSpan Seconds(double seconds, string option) => seconds > 0 && seconds <= 3600
    ? TimeSpan.FromSeconds(seconds)
    : throw new ArgumentException($"{option} {seconds}: give a number of seconds above 0 (at most 3600).");

var echo = new Command("echo", "Send every message back with its type until the server closes. Exit 0 after a clean close, 1 after a failed connection, 2 when none opened.")
{
    url, maxMessage, maxFragments, connectTimeout, closeTimeout, quiet,
};
echo.SetAction(async (parse, cancellation) =>
{
    try
    {
        return await EchoCommand.RunAsync(parse.GetValue(url)!, OptionsFrom(parse), Console.Out, Console.Error, parse.GetValue(quiet), cancellation);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"echo: {ExceptionText.Plain(e)}");
        return EchoCommand.NotOpened;
    }
});

var chat = new Command("chat", "A console chat for Lab 06's /chat room: lines typed are sent, messages are printed, Ctrl+C closes with 1000.")
{
    url, maxMessage, maxFragments, connectTimeout, closeTimeout,
};
chat.SetAction(async (parse, cancellation) =>
{
    try
    {
        return await ChatCommand.RunAsync(parse.GetValue(url)!, OptionsFrom(parse), Console.In, Console.Out, Console.Error, cancellation);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"chat: {ExceptionText.Plain(e)}");
        return EchoCommand.NotOpened;
    }
});

var root = new RootCommand("Lab 07: a WebSocket client with the browser's API shape.") { echo, chat };
var configuration = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) };
return await root.Parse(args).InvokeAsync(configuration);
