using System.Drawing;
using System.Globalization;
using System.Text.RegularExpressions;
using Lab06.WebSocketServer.Tests;
using OpenQA.Selenium;
using Xunit.Abstractions;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// One chat room, a browser and a console (notebook 07 §8): Lab 06's page in
/// headless Chromium and Lab 07's <c>chat</c> command, in-process, in the same
/// <c>/chat</c> room of a Lab 06 server, each seeing the other's lines.
/// </summary>
/// <remarks>
/// Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's chromium and
/// chromium-driver); without them the test skips on a learner's machine and
/// fails in CI (see Lab 06's Browser.cs, shared here).
/// </remarks>
public sealed partial class BrowserChatTests(BrowserFixture fixture, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private const string Hint =
        "Lab 07 · steps 1-4, 6 and 7 (ParseUrl, CloseStatusFor, CloseEvent.From, RunAsync and Finish, Close, DeliverAsync and ReceiveAsync): " +
        "ChatCommand connects with the chat subprotocol, sends each line with SendAsync, prints what await foreach receives, and closes with 1000 at the end of input. " +
        "Notebook 07 §8, RFC 6455 §1.9 and §7.";

    private const string Read = "Notebook 07 §8";

    /// <summary>Every wait of the console's side: generous for a loaded 2-core machine, never the reason a test is slow.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [SkippableFact, Graded(3, Hint = Hint)]
    public async Task The_console_chat_and_the_browser_page_hear_each_other_and_end_of_input_closes_with_1000()
    {
        // Skipped (or failed, with CI=true) before anything starts, when there is no Chromium.
        Browser.SkipUnlessAvailable();
        await using var server = TestServer.Start();
        var url = server.Ws("/chat").ToString();
        var console = new BrowserChat();
        string Story() => $"{console.Describe()}\n{server.Context()}";
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a last resort: every wait below is bounded by less

        // The console first, so that a client that cannot connect fails here, before a browser starts.
        var options = new WebSocketClientOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Connection = WebSocketClientOptions.ClientDefaults with { CloseTimeout = TimeSpan.FromSeconds(3) },
        };
        var chat = ChatCommand.RunAsync(url, options, console.Keyboard, console.Output, console.Log, stop.Token);
        var consoleJoined = await FirstOfAsync(chat, console.Printed.WaitForAsync(l => l.EndsWith(" joined (1 here)", StringComparison.Ordinal), Bound,
            "the console's own join notice (\"→ ID joined (1 here)\"): the room greets each newcomer, the newcomer too"), "its own join notice", Story);
        var consoleId = JoinedId().Match(consoleJoined) is { Success: true } m ? m.Groups[1].Value
            : throw new InvalidOperationException($"The room's join notice \"{consoleJoined}\" has no id.");

        var browser = fixture.Get();
        var page = LabPage.Open(browser, server);
        try
        {
            page.ConnectAndWaitForOpen("/chat", "chat", "Lab 06");
            var pageJoined = page.WaitForEntry(e => e.Event == "message" && e.Data.EndsWith(" joined (2 here)", StringComparison.Ordinal), 0, "the page's join notice (\"→ ID joined (2 here)\")");
            var pageId = pageJoined.Data[2..10];
            await FirstOfAsync(chat, console.Printed.WaitForAsync(l => l == $"→ {pageId} joined (2 here)", Bound,
                $"the page's join notice on the console (\"→ {pageId} joined (2 here)\")"), "the page's join notice", Story);

            // The console speaks: the page hears it, with the console's id.
            const string fromConsole = "hello from the console ☺";
            int before = page.LogCount;
            console.Type(fromConsole);
            var heard = page.WaitForEntry(e => e.Event == "message" && e.Data.Contains(fromConsole, StringComparison.Ordinal), before,
                $"the console's line \"{fromConsole}\" on the page");
            page.Equal(heard.Data, $"{consoleId}: {fromConsole}",
                "step 7 and SendAsync: the console's line as the page shows it (the room prefixes the sender's id)", $"{Read}: a line typed in the console goes as one text message.\n{Story()}");
            await FirstOfAsync(chat, console.Printed.WaitForAsync(l => l == $"{consoleId}: {fromConsole}", Bound,
                "the console's own line back from the room (the room sends every member's line to everyone, the sender too)"), "its own line back", Story);

            // The page speaks: the console prints it.
            const string fromPage = "hello from Chromium";
            page.Type("text", fromPage);
            page.Click("send-text");
            await FirstOfAsync(chat, console.Printed.WaitForAsync(l => l == $"{pageId}: {fromPage}", Bound,
                $"the page's line on the console (\"{pageId}: {fromPage}\")"), "the page's line", Story);

            // The end of input (Ctrl+D): the command closes with 1000 and exits with 0.
            before = page.LogCount;
            console.EndInput();
            int exit = await chat.Within(Bound, "ChatCommand.RunAsync to return after the end of its input (it closes with 1000 and waits for the server's close and FIN)", Story);
            var closed = console.Status.Lines.LastOrDefault(l => l.StartsWith("closed: ", StringComparison.Ordinal));
            Check.Equal(closed, "closed: 1000 Normal Closure, clean",
                "steps 3, 4 and 6: the close event the console chat logged after the end of its input",
                $"{Read}, §4: CloseAsync(1000) sends a close frame with 1000; the server echoes it and closes TCP; the close event reports the code received and wasClean true (RFC 6455 §7.1.4-§7.1.6).\n{Story()}");
            Check.Equal(exit, EchoCommand.Clean, "the chat command's exit code after a clean close", $"{Read}: 0 after a clean close, 1 after any other end, 2 with no connection.\n{Story()}");

            var left = page.WaitForEntry(e => e.Event == "message" && e.Data.Contains(" left ", StringComparison.Ordinal), before, "the console's leave notice on the page");
            page.Equal(left.Data, $"← {consoleId} left (1 here)", "the page's notice when the console leaves", $"{Read}.");
            var serverSide = await server.Log.WaitForAsync(l => l.StartsWith(consoleId, StringComparison.Ordinal) && l.Contains(": closed, ", StringComparison.Ordinal), Bound,
                "the server's log line for the console's connection");
            Check.True(serverSide.Contains("closed, 1000 Normal Closure, clean, closed by the peer", StringComparison.Ordinal),
                $"steps 4 and 6: the server should log the console's connection as closed by the peer with 1000, cleanly; its line is \"{serverSide}\".",
                $"{Read}, §4: the client starts the closing handshake, the server answers and closes TCP first (RFC 6455 §7.1.1).\n{Story()}");

            await KeepScreenshotAsync(page, browser, console, url, exit);
        }
        finally
        {
            console.EndInput(); // after a failure too: the command then closes and ends
            browser.KeepOneTab();
        }
    }

    /// <summary>
    /// Awaits <paramref name="waiting"/>; when the command ends first (a step
    /// not written yet throws at once, or it could not connect), fails at
    /// once with how it ended, instead of at the bound.
    /// </summary>
    private static async Task<string> FirstOfAsync(Task<int> chat, Task<string> waiting, string what, Func<string> story)
    {
        if (await Task.WhenAny(waiting, chat).ConfigureAwait(false) == waiting)
        {
            try
            {
                return await waiting.ConfigureAwait(false);
            }
            catch (TimeoutException timeout)
            {
                throw new TimeoutException($"{timeout.Message}\n{story()}", timeout);
            }
        }
        if (chat.Exception?.InnerException is { } thrown)
            throw new ShouldAssertException($"The console chat (ChatCommand.RunAsync) threw before {what} came: {thrown.GetType().Name}: {thrown.Message}\n{Hint}\n{story()}", thrown);
        var ended = chat.IsCanceled ? "was cancelled" : $"returned {chat.Result}";
        Check.Fail($"The console chat (ChatCommand.RunAsync) {ended} before {what} came.", $"{Hint}\n{story()}");
        return "";
    }

    /// <summary>
    /// The page, with the console's session added at its bottom, as a picture:
    /// bin/.../artifacts/lab07-chat.png, and with LAB07_UPDATE_SCREENSHOT=1
    /// also notebooks/images/07-chat.png (notebook 07 §8).
    /// </summary>
    private async Task KeepScreenshotAsync(LabPage page, Browser browser, BrowserChat console, string url, int exit)
    {
        console.ShowOnPage(browser.Driver, $"dotnet run --project solutions/Lab07.WebSocketClient -- chat {url}", exit);
        // A window tall enough for the whole page, the terminal below it included; the old size is restored after.
        var window = browser.Driver.Manage().Window;
        var size = window.Size;
        var missing = Convert.ToInt32(((IJavaScriptExecutor)browser.Driver).ExecuteScript(
            "return document.documentElement.scrollHeight - window.innerHeight;"), CultureInfo.InvariantCulture);
        byte[] png;
        try
        {
            if (missing > 0)
                window.Size = new Size(size.Width, size.Height + missing + 4);
            png = page.Screenshot();
        }
        finally
        {
            window.Size = size;
        }
        var artifact = Path.Combine(AppContext.BaseDirectory, "artifacts", "lab07-chat.png");
        Directory.CreateDirectory(Path.GetDirectoryName(artifact)!);
        await File.WriteAllBytesAsync(artifact, png);
        output.WriteLine($"screenshot: {artifact}");
        if (Environment.GetEnvironmentVariable("LAB07_UPDATE_SCREENSHOT") == "1")
        {
            var image = Path.Combine(RepoRoot(), "notebooks", "images", "07-chat.png");
            Directory.CreateDirectory(Path.GetDirectoryName(image)!);
            await File.WriteAllBytesAsync(image, png);
            output.WriteLine($"notebook image: {image}");
        }
        output.WriteLine(console.Describe());
    }

    /// <summary>The repository: the nearest folder above the test's build with Lab.sln.</summary>
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Lab.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Lab.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex("^→ ([0-9a-f]{8}) joined")]
    private static partial Regex JoinedId();
}
