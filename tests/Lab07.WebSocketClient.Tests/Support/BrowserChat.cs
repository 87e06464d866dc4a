using System.Text;
using System.Threading.Channels;
using OpenQA.Selenium;

namespace Lab07.WebSocketClient.Tests;

/// <summary>
/// A console for <see cref="ChatCommand.RunAsync"/> run in-process: a
/// keyboard the test types lines into (and ends, as Ctrl+D does), and a
/// screen that keeps what the command prints, each line as it comes, in one
/// transcript for failure messages and for the picture of notebook 07 §8.
/// </summary>
public sealed class BrowserChat
{
    private readonly object gate = new();
    private readonly List<(string Kind, string Line)> transcript = [];

    public BrowserChat()
    {
        Keyboard = new KeyboardReader();
        Output = new ScreenWriter(this, "output", Printed);
        Log = new ScreenWriter(this, "log", Status);
    }

    /// <summary>The command's input: what <see cref="Type"/> sends, line by line, until <see cref="EndInput"/>.</summary>
    public TextReader Keyboard { get; }

    /// <summary>The command's output (the room's messages).</summary>
    public TextWriter Output { get; }

    /// <summary>The command's log (connected, closed, errors).</summary>
    public TextWriter Log { get; }

    /// <summary>Every line the command wrote to <see cref="Output"/>, to wait on.</summary>
    public LineLog Printed { get; } = new("the console chat's output");

    /// <summary>Every line the command wrote to <see cref="Log"/>, to wait on.</summary>
    public LineLog Status { get; } = new("the console chat's log");

    /// <summary>Types <paramref name="line"/> and Enter.</summary>
    public void Type(string line)
    {
        Add("typed", line);
        ((KeyboardReader)Keyboard).Lines.Writer.TryWrite(line);
    }

    /// <summary>Ends the input, as Ctrl+D in a terminal: the next read returns null. Only the first call counts.</summary>
    public void EndInput()
    {
        if (((KeyboardReader)Keyboard).Lines.Writer.TryComplete())
            Add("typed", "^D");
    }

    /// <summary>The session as a terminal shows it, for failure messages.</summary>
    public string Describe()
    {
        lock (gate)
            return transcript.Count == 0
                ? "the console chat (ChatCommand.RunAsync) printed nothing"
                : "the console chat (ChatCommand.RunAsync), as its terminal shows it:\n" + string.Concat(transcript.Select(t => $"  {(t.Kind == "typed" ? "> " : "")}{t.Line}\n"));
    }

    /// <summary>
    /// Adds the console's session to the bottom of the page, dark like a
    /// terminal, so that one picture shows both sides of the room (the
    /// screenshot of notebook 07 §8), with the command's exit code. The page's
    /// own elements are not touched.
    /// </summary>
    public void ShowOnPage(IWebDriver driver, string command, int exitCode)
    {
        List<(string Kind, string Line)> lines;
        lock (gate)
            lines = [.. transcript];
        ((IJavaScriptExecutor)driver).ExecuteScript("""
            const [command, lines, exitCode] = arguments;
            const section = document.createElement("section");
            section.className = "wide";
            section.id = "lab07-terminal";
            section.innerHTML = '<h2>The console chat, in a terminal <span class="note">(Lab 07\'s ChatCommand, run by the test in the same room)</span></h2>';
            const pre = document.createElement("pre");
            pre.style.cssText = "margin:0;padding:.6rem .8rem;background:#1d2430;color:#e8ebf0;border-radius:6px;font:12.5px/1.5 ui-monospace,monospace;white-space:pre-wrap;overflow-wrap:anywhere";
            const line = (text, color) => { const span = document.createElement("span"); span.textContent = text + "\n"; if (color) span.style.color = color; pre.appendChild(span); };
            line("$ " + command, "#9fb3d9");
            for (const [kind, text] of lines)
              line(text, kind === "typed" ? "#f2c572" : kind === "log" ? "#9aa3b2" : null);
            line("$ echo $?", "#9fb3d9");
            line(String(exitCode));
            section.appendChild(pre);
            document.querySelector("main").appendChild(section);
            """, command, lines.Select(l => new object[] { l.Kind, l.Line }).ToArray(), exitCode);
    }

    private void Add(string kind, string line)
    {
        lock (gate)
            transcript.Add((kind, line));
    }

    /// <summary>Lines typed, read as a console's input; a completed channel is the end of input.</summary>
    private sealed class KeyboardReader : TextReader
    {
        public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();

        public override async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            return await Lines.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && Lines.Reader.TryRead(out var line) ? line : null;
        }

        public override Task<string?> ReadLineAsync() => ReadLineAsync(CancellationToken.None).AsTask();

        public override string? ReadLine() => ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A writer that hands each complete line to the transcript and to a <see cref="LineLog"/>.</summary>
    private sealed class ScreenWriter(BrowserChat chat, string kind, LineLog lines) : TextWriter
    {
        private readonly StringBuilder pending = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Write(value.ToString());

        public override void Write(string? value)
        {
            if (string.IsNullOrEmpty(value))
                return;
            List<string> complete = [];
            lock (pending)
            {
                foreach (char c in value)
                {
                    if (c == '\n')
                    {
                        complete.Add(pending.ToString().TrimEnd('\r'));
                        pending.Clear();
                    }
                    else
                    {
                        pending.Append(c);
                    }
                }
                // Added under this writer's lock, so that the lines keep their order.
                foreach (var line in complete)
                {
                    chat.Add(kind, line);
                    lines.Add(line);
                }
            }
        }

        public override void WriteLine(string? value) => Write((value ?? "") + "\n");

        public override void WriteLine() => Write("\n");
    }
}
