using System.Collections.ObjectModel;
using System.Diagnostics;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Lab06.WebSocketServer.Tests;

/// <summary>
/// Headless Chromium driven by Debian's chromedriver (Selenium WebDriver):
/// a real browser's WebSocket against the learner's server (notebook 06 §9).
/// One per test class (<see cref="BrowserFixture"/>), with a fresh profile in
/// a temporary folder; <see cref="Dispose"/> quits Chromium and chromedriver
/// whatever happened, and deletes the profile.
/// </summary>
public sealed class Browser : IDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    public const string ChromeDriverPath = "/usr/bin/chromedriver";
    public const string InstallHint = "install Chromium and ChromeDriver: sudo apt-get install chromium chromium-driver";

    /// <summary>Every wait on the page: long enough for a loaded 2-core machine, short enough to fail fast.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly ChromeDriverService service;
    private readonly string profile;

    private Browser(ChromeDriverService service, ChromeDriver driver, string profile)
    {
        this.service = service;
        Driver = driver;
        this.profile = profile;
    }

    /// <summary>The browser.</summary>
    public ChromeDriver Driver { get; }

    /// <summary>Why the browser cannot run here, or null when it can.</summary>
    public static string? WhyUnavailable() =>
        !File.Exists(ChromiumPath) ? $"{ChromiumPath} is missing."
        : !File.Exists(ChromeDriverPath) ? $"{ChromeDriverPath} is missing."
        : null;

    /// <summary>
    /// Skips on a learner's machine without Chromium; with CI=true a skip
    /// would hide an untested page, so it fails instead (COURSE.md, "Tests").
    /// </summary>
    public static void SkipUnlessAvailable()
    {
        if (WhyUnavailable() is not { } why)
            return;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"CI=true, so the browser tests must run, and they cannot: {why} (.ci/run must {InstallHint}.)");
        Skip.If(true, $"The browser tests need headless Chromium: {why} To run them, {InstallHint}");
    }

    /// <summary>Starts chromedriver and a headless Chromium with a fresh profile.</summary>
    public static Browser Launch()
    {
        var profile = Directory.CreateTempSubdirectory("lab06-chromium-").FullName;
        // An explicit driver path: Selenium Manager (which would download a driver) never runs.
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
            "--window-size=1180,1180", $"--user-data-dir={profile}",
            // Tabs in the background keep their timers: the chat test has two pages at once.
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding");
        // The console (where Chromium explains a failed handshake) comes back through GetLog(LogType.Browser).
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        try
        {
            var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(30));
            driver.Manage().Timeouts().PageLoad = Bound;
            driver.Manage().Timeouts().AsynchronousJavaScript = Bound;
            return new Browser(service, driver, profile);
        }
        catch (Exception e)
        {
            service.Dispose();
            TryDelete(profile);
            throw new InvalidOperationException($"Headless Chromium did not start ({e.GetType().Name}: {e.Message}). Is it installed? {InstallHint}", e);
        }
    }

    /// <summary>What the page wrote to the console since the last call (Chromium also logs its network errors there).</summary>
    public IReadOnlyList<string> TakeConsole()
    {
        try
        {
            return [.. Driver.Manage().Logs.GetLog(LogType.Browser).Select(entry => $"{entry.Level}: {entry.Message}")];
        }
        catch (WebDriverException e)
        {
            return [$"(the console log could not be read: {e.Message})"];
        }
    }

    /// <summary>Closes every tab but the first and switches to it, so each test starts with one page.</summary>
    public void KeepOneTab()
    {
        var handles = Driver.WindowHandles;
        foreach (var handle in handles.Skip(1))
        {
            Driver.SwitchTo().Window(handle);
            Driver.Close();
        }
        Driver.SwitchTo().Window(handles[0]);
    }

    public void Dispose()
    {
        // Chromium's processes hang below chromedriver's: note them first, so
        // that any Quit left behind can be ended by id (never by name).
        var descendants = service.ProcessId > 0 ? Descendants(service.ProcessId) : [];
        try
        {
            Driver.Quit();
        }
        catch (Exception)
        {
            // Quit failed (a hung browser): the processes are ended below.
        }
        Driver.Dispose();
        service.Dispose();
        foreach (var pid in descendants)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (!process.HasExited)
                    process.Kill();
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
        TryDelete(profile);
    }

    /// <summary>The ids of every process below <paramref name="root"/> (Linux /proc; empty elsewhere).</summary>
    private static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid))
                    continue;
                try
                {
                    // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    parents[pid] = int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (Exception)
                {
                    // The process ended meanwhile.
                }
            }
        }
        catch (Exception)
        {
            return [];
        }
        var found = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            int parent = queue.Dequeue();
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent && !found.Contains(pid))
                {
                    found.Add(pid);
                    queue.Enqueue(pid);
                }
            }
        }
        return found;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception)
        {
            // A file still held by a dying process: the temp folder keeps it.
        }
    }
}

/// <summary>
/// One <see cref="Browser"/> for a whole test class (starting Chromium takes a
/// second or two). It starts on first use, so a missing Chromium makes each
/// test skip (or fail, in CI) rather than the class fail to construct.
/// </summary>
public sealed class BrowserFixture : IDisposable
{
    private readonly object gate = new();
    private Browser? browser;
    private Exception? failure;

    /// <summary>The browser, started if need be; skips the test when Chromium is missing (<see cref="Browser.SkipUnlessAvailable"/>).</summary>
    public Browser Get()
    {
        Browser.SkipUnlessAvailable();
        lock (gate)
        {
            if (failure is not null)
                throw new InvalidOperationException(failure.Message, failure);
            try
            {
                browser ??= Browser.Launch();
            }
            catch (Exception e)
            {
                failure = e;
                throw;
            }
            browser.KeepOneTab();
            return browser;
        }
    }

    public void Dispose()
    {
        lock (gate)
            browser?.Dispose();
    }
}

/// <summary>One entry of the page's #log (see the id list at the top of wwwroot/index.html).</summary>
/// <param name="Event">open, message, error, close, sent or note.</param>
/// <param name="Type">string, Blob or ArrayBuffer for message and sent entries; "" otherwise.</param>
/// <param name="Size">Characters of a string, bytes of binary; "" otherwise.</param>
/// <param name="Text">The entry's text, e.g. "string, 5 chars: hello".</param>
/// <param name="Hex">The hex preview of a binary message ("" until a Blob has been read).</param>
public sealed record PageLogEntry(string Event, string Type, string Size, string Code, string Reason, string WasClean, string Text, string Hex)
{
    /// <summary>What came after "N chars: " in a string entry: the message itself.</summary>
    public string Data => Text.IndexOf(": ", StringComparison.Ordinal) is int at and >= 0 ? Text[(at + 2)..] : Text;

    /// <summary>"close: code 1006, reason "", wasClean false", "message: ArrayBuffer, 5 bytes: 68 65 6c 6c 6f".</summary>
    public override string ToString() => $"{Event}: {Text}{Hex}";
}

/// <summary>
/// The Lab 06 page in the browser's current tab, driven by its element ids,
/// every wait bounded by <see cref="Browser.Bound"/> with a message that says what was awaited.
/// </summary>
public sealed class LabPage
{
    private readonly Browser browser;
    private readonly string handle;
    private readonly Func<string> serverLog;

    private LabPage(Browser browser, string handle, Func<string> serverLog)
    {
        this.browser = browser;
        this.handle = handle;
        this.serverLog = serverLog;
    }

    private IWebDriver Driver
    {
        get
        {
            // Two pages may share one browser (the chat test): talk to this one's tab.
            if (browser.Driver.CurrentWindowHandle != handle)
                browser.Driver.SwitchTo().Window(handle);
            return browser.Driver;
        }
    }

    /// <summary>
    /// Opens http://server/ in the current tab (or in a new tab) and checks
    /// at once that the page came (GoToUrl waits for the load), so that a
    /// server that cannot serve it fails here, fast.
    /// </summary>
    public static LabPage Open(Browser browser, TestServer server, bool newTab = false)
    {
        if (newTab)
            browser.Driver.SwitchTo().NewWindow(WindowType.Tab);
        var url = server.Http("/");
        try
        {
            browser.Driver.Navigate().GoToUrl(url);
        }
        catch (WebDriverException e)
        {
            Check.Fail($"The browser could not load {url}: {e.Message.Split('\n')[0]}",
                $"The server must serve the page at GET / (BrowserPage.HandleAsync behind WebSocketServer.HandleAsync, step 13 lets ordinary requests through). Notebook 06 §9.\n{server.Context()}");
        }
        var page = new LabPage(browser, browser.Driver.CurrentWindowHandle, server.Context);
        if (browser.Driver.FindElements(By.Id("connect")).Count == 0)
        {
            var body = browser.Driver.FindElements(By.TagName("body")).FirstOrDefault()?.Text ?? "";
            Check.Fail($"GET {url} did not give the Lab 06 page (no #connect button); the browser shows title \"{browser.Driver.Title}\", text \"{Shorten(body)}\".",
                $"The server must answer GET / with wwwroot/index.html (BrowserPage.HandleAsync; WebSocketServer.HandleAsync, step 13, passes ordinary HTTP requests on to it). Notebook 06 §9.\n{server.Context()}");
        }
        return page;
    }

    /// <summary>The page's title.</summary>
    public string Title => Driver.Title;

    /// <summary>The text of the element with <paramref name="id"/>.</summary>
    public string TextOf(string id) => Driver.FindElement(By.Id(id)).Text;

    /// <summary>Picks an option of a select by its value, as a user would (a click, which fires change).</summary>
    public void Select(string id, string value)
    {
        var option = Driver.FindElement(By.Id(id)).FindElements(By.TagName("option")).FirstOrDefault(o => o.GetDomProperty("value") == value)
            ?? throw new InvalidOperationException($"#{id} has no option \"{value}\".");
        if (!option.Selected)
            option.Click();
    }

    public void Type(string id, string text)
    {
        var input = Driver.FindElement(By.Id(id));
        input.Clear();
        input.SendKeys(text);
    }

    public void SetChecked(string id, bool on)
    {
        var box = Driver.FindElement(By.Id(id));
        if (box.Selected != on)
            box.Click();
    }

    /// <summary>
    /// Clicks a button, waiting (bounded) until it is enabled: the page
    /// enables Send and Disconnect only while the socket is open; when the
    /// socket is closed instead, it fails at once rather than at the bound.
    /// </summary>
    public void Click(string id)
    {
        var button = Driver.FindElement(By.Id(id));
        bool closed = false;
        Until(_ => button.Enabled || (closed = id != "connect" && TextOf("ready-state").StartsWith('3')), $"the button #{id} to be enabled");
        if (!button.Enabled && closed)
            True(false, $"The page could not click #{id}: its WebSocket is already closed (readyState 3 CLOSED).",
                "The server ended the connection: see the close event below, and the server's log. Notebook 06 §9.");
        button.Click();
    }

    /// <summary>Chooses the endpoint, subprotocol and "break the accept", then clicks Connect.</summary>
    public void Connect(string path = "/echo", string subprotocol = "", bool breakAccept = false)
    {
        Select("endpoint", path);
        Select("subprotocol", subprotocol);
        SetChecked("break-accept", breakAccept);
        Click("connect");
    }

    /// <summary>Connects and waits for the open event (or fails as soon as the page shows a close instead).</summary>
    public PageLogEntry ConnectAndWaitForOpen(string path = "/echo", string subprotocol = "", string step = "steps 1-9")
    {
        int before = Log().Count;
        Connect(path, subprotocol);
        var ended = WaitForEntry(e => e.Event is "open" or "close", before, $"the page's WebSocket to {path} to open (an open event, or a close if it failed)");
        if (ended.Event != "open")
            True(false, $"{step}: the browser's WebSocket to {path} did not open: the page shows {ended}.",
                "The server answered the handshake and then ended the connection, or refused it. Notebook 06 §1 and §9.");
        return ended;
    }

    /// <summary>The #log entries, oldest first (one script call, not one per element).</summary>
    public IReadOnlyList<PageLogEntry> Log()
    {
        var rows = (ReadOnlyCollection<object>)((IJavaScriptExecutor)Driver).ExecuteScript("""
            return Array.from(document.querySelectorAll('#log li'), li => [
              li.dataset.event || '', li.dataset.type || '', li.dataset.size || '',
              li.dataset.code || '', li.dataset.reason || '', li.dataset.wasClean || '',
              li.querySelector('.text')?.textContent || '', li.querySelector('.hex')?.textContent || '']);
            """)!;
        return [.. rows.Cast<ReadOnlyCollection<object>>().Select(r =>
            new PageLogEntry((string)r[0], (string)r[1], (string)r[2], (string)r[3], (string)r[4], (string)r[5], (string)r[6], (string)r[7]))];
    }

    /// <summary>The number of entries so far (to wait for the ones after it).</summary>
    public int LogCount => Log().Count;

    /// <summary>
    /// Waits for an entry, after the first <paramref name="skip"/>, that
    /// matches, and returns it. A close event that does not match ends the
    /// wait at once (nothing more can come on a closed socket): then it fails
    /// with the page's story rather than at the bound.
    /// </summary>
    public PageLogEntry WaitForEntry(Func<PageLogEntry, bool> match, int skip, string what)
    {
        PageLogEntry? found = null;
        Until(_ => (found = Log().Skip(skip).FirstOrDefault(e => match(e) || e.Event == "close")) is not null, what);
        if (!match(found!))
            True(false, $"The page's WebSocket closed while waiting for {what}: {found}.",
                "The server ended the connection (the close event's code says why; 1006: TCP ended with no close frame). Notebook 06 §4-§5 and §9.");
        return found!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, within <see cref="Browser.Bound"/>; the failure names <paramref name="what"/> and shows the page's log and the server's.</summary>
    public void Until(Func<IWebDriver, bool> condition, string what)
    {
        var wait = new WebDriverWait(Driver, Browser.Bound) { PollingInterval = TimeSpan.FromMilliseconds(50), Message = what };
        try
        {
            wait.Until(condition);
        }
        catch (WebDriverTimeoutException)
        {
            throw new TimeoutException(WithinExtensions.TimeoutMessage(Browser.Bound, what, Story));
        }
    }

    /// <summary>Check.Equal, with <see cref="Story"/> added to the message when it fails (read only then: it takes a few browser round trips).</summary>
    public void Equal<T>(T actual, T expected, string what, string why)
    {
        if (!EqualityComparer<T>.Default.Equals(actual, expected))
            Check.Equal(actual, expected, what, $"{why}\n{Story()}");
    }

    /// <summary>Check.True, with <see cref="Story"/> added to the message when it fails.</summary>
    public void True(bool condition, string what, string why)
    {
        if (!condition)
            Check.Fail(what, $"{why}\n{Story()}");
    }

    /// <summary>The page's log, its socket's attributes and the server's log, for failure messages.</summary>
    public string Story()
    {
        try
        {
            var entries = Log();
            return $"readyState {TextOf("ready-state")} (history {TextOf("ready-state-history")}), protocol {TextOf("protocol")}, url {TextOf("url")}\n" +
                $"the page's log ({entries.Count} entries):\n" + string.Concat(entries.Select(e => $"  {e}\n")) + serverLog();
        }
        catch (WebDriverException e)
        {
            return $"(the page could not be read: {e.Message.Split('\n')[0]})\n{serverLog()}";
        }
    }

    /// <summary>A PNG of the tab.</summary>
    public byte[] Screenshot() => ((ITakesScreenshot)Driver).GetScreenshot().AsByteArray;

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
