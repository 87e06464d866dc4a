using System.CommandLine;
using Course;
using Course.Cli;

// The course CLI. Every command is a small class in Cli/; this file only
// declares the command line. A CourseException (bad input, a broken course
// file) is one line on stderr and exit code 2, never a stack trace.

Console.OutputEncoding = System.Text.Encoding.UTF8;

var root = new RootCommand("Socket → WebSocket Lab: the course CLI. Without a command, shows the lab map and your next step.");

var trackOption = new Option<string>("--track") { Description = "Which code to test: labs (yours) or solutions (the reference)." };
trackOption.AcceptOnlyFromAmong("labs", "solutions");
var labOption = new Option<string?>("--lab") { Description = "Only this lab (e.g. 01)." };

// status (also the default)
var status = new Command("status", "The lab map, your score on each lab, and what to do next.");
status.SetAction(_ => Run(() => StatusCommand.Run(Repo.Find())));
root.SetAction(_ => Run(() => StatusCommand.Run(Repo.Find())));
root.Subcommands.Add(status);

// check NN
var checkLab = new Argument<string>("NN") { Description = "The lab to check, e.g. 01." };
var check = new Command("check", "Build lab NN from labs/, run its tests, print the score and the first failure with its hint.") { checkLab };
check.SetAction((parse, _) => RunAsync(() => CheckCommand.RunAsync(Repo.Find(), parse.GetValue(checkLab)!)));
root.Subcommands.Add(check);

// grade
var jsonOption = new Option<string?>("--json") { Description = "Also write the report as JSON (Exercism results.json v3 shape, with points) to FILE." };
var grade = new Command("grade", "Grade every lab (or one): a table of points per test; exit code 0 whatever the score.") { trackOption, labOption, jsonOption };
grade.SetAction((parse, _) => RunAsync(() => GradeCommand.RunAsync(Repo.Find(), parse.GetValue(trackOption) ?? "labs", parse.GetValue(labOption), parse.GetValue(jsonOption))));
root.Subcommands.Add(grade);

// prove
var prove = new Command("prove", "Prove every graded test passes on solutions/ and fails on the lab's starter in labs/ (CI runs this).") { labOption };
prove.SetAction((parse, _) => RunAsync(() => ProveCommand.RunAsync(Repo.Find(), parse.GetValue(labOption))));
root.Subcommands.Add(prove);

// labs generate [--check]
var checkOnly = new Option<bool>("--check") { Description = "Write nothing; fail, listing the files, when labs/ is stale." };
var generate = new Command("generate", "Write labs/ from solutions/, removing the solution regions.") { checkOnly };
generate.SetAction(parse => Run(() => LabsGenerateCommand.Run(Repo.Find(), parse.GetValue(checkOnly))));
root.Subcommands.Add(new Command("labs", "Starter code in labs/.") { generate });

// notebooks run [NN] [--write] [--track]
var notebookLab = new Argument<string?>("NN") { Description = "Only this lab's notebook (default: all).", Arity = ArgumentArity.ZeroOrOne };
var writeOption = new Option<bool>("--write") { Description = "Store the outputs in the .ipynb (only when every cell succeeded)." };
var notebookTrack = new Option<string?>("--track") { Description = "Which code labs/ paths load: labs or solutions (default: solutions when present)." };
notebookTrack.AcceptOnlyFromAmong("labs", "solutions");
var runNotebooks = new Command("run", "Run notebooks headlessly, top to bottom, on the course engine.") { notebookLab, writeOption, notebookTrack };
runNotebooks.SetAction((parse, _) => RunAsync(() => NotebooksRunCommand.RunAsync(Repo.Find(), parse.GetValue(notebookLab), parse.GetValue(writeOption), parse.GetValue(notebookTrack))));
var connectionFile = new Argument<string>("CONNECTION_FILE") { Description = "The connection file Jupyter wrote." };
var kernel = new Command("kernel", "Run the course's Jupyter kernel (Jupyter starts it; see install-kernel).") { connectionFile };
kernel.SetAction((parse, _) => RunAsync(() => KernelCommands.RunAsync(Repo.Find(), parse.GetValue(connectionFile)!)));
var installKernel = new Command("install-kernel", $"Install the Jupyter kernel \"{Course.Kernel.KernelSpec.DisplayName}\" for VS Code and Jupyter.");
installKernel.SetAction(_ => Run(() => KernelCommands.Install(Repo.Find())));
var uninstallKernel = new Command("uninstall-kernel", "Remove the course's Jupyter kernel.");
uninstallKernel.SetAction(_ => Run(KernelCommands.Uninstall));
root.Subcommands.Add(new Command("notebooks", "The course notebooks.") { runNotebooks, kernel, installKernel, uninstallKernel });

// bench NN [-- ARGS]
var benchLab = new Argument<string>("NN") { Description = "The lab whose benchmarks to run, e.g. 05." };
var benchArgs = new Argument<string[]>("ARGS") { Description = "Passed to BenchmarkDotNet, e.g. --filter '*Masking*' (default: --filter '*').", Arity = ArgumentArity.ZeroOrMore };
var bench = new Command("bench", "Run lab NN's benchmarks (BenchmarkDotNet, Release build; minutes; never run by CI).") { benchLab, benchArgs };
bench.SetAction((parse, _) => RunAsync(() => BenchCommand.RunAsync(Repo.Find(), parse.GetValue(benchLab)!, parse.GetValue(benchArgs) ?? [])));
root.Subcommands.Add(bench);

// handout DIR
var handoutDir = new Argument<string>("DIR") { Description = "An empty or new folder for the student repository." };
var handout = new Command("handout", "Write a student repository to DIR: everything but solutions/ and the course's own tests and CI.") { handoutDir };
handout.SetAction((parse, _) => RunAsync(() => HandoutCommand.RunAsync(Repo.Find(), parse.GetValue(handoutDir)!)));
root.Subcommands.Add(handout);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    var message = string.Join(' ', parsed.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));
    Console.Error.WriteLine($"course: {message} (see ./course --help)");
    return 2;
}
return await parsed.InvokeAsync();

static int Run(Func<int> action)
{
    try
    {
        return action();
    }
    catch (CourseException e)
    {
        Console.Error.WriteLine($"course: {e.Message}");
        return 2;
    }
}

static async Task<int> RunAsync(Func<Task<int>> action)
{
    try
    {
        return await action();
    }
    catch (CourseException e)
    {
        Console.Error.WriteLine($"course: {e.Message}");
        return 2;
    }
}
