using Course.Cli;
using Course.Grading;

namespace Course.Tests;

/// <summary>The CLI's answers to bad input: one line, exit code 2, never a stack trace.</summary>
public class CliTests
{
    private static async Task<ProcessResult> Course(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "course.dll");
        return await ProcessRunner.RunAsync("dotnet", [dll, .. args], TestRepo.Course.Root, TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData("check 99", "Unknown lab '99'")]
    [InlineData("check ten", "Unknown lab 'ten'")]
    [InlineData("check 09", "is not in this repository yet")]
    [InlineData("notebooks run 42", "Unknown lab '42'")]
    [InlineData("grade --track nowhere", "nowhere")]
    [InlineData("frobnicate", "frobnicate")]
    public async Task Bad_input_is_one_line_and_exit_code_2(string args, string expected)
    {
        var result = await Course(args.Split(' '));
        result.TimedOut.ShouldBeFalse();
        result.ExitCode.ShouldBe(2, result.Output);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, result.Output);
        lines[0].ShouldStartWith("course: ");
        lines[0].ShouldContain(expected);
    }

    [Fact]
    public async Task Status_prints_the_map_and_the_next_step()
    {
        var result = await Course("status");
        result.ExitCode.ShouldBe(0, result.Output);
        result.Output.ShouldContain("01  Socket echo");
        result.Output.ShouldContain("Next:");
    }

    [Fact]
    public void Status_points_a_new_learner_at_the_first_notebook()
    {
        var text = StatusCommand.Render(TestRepo.Course, new Dictionary<string, LabProgress>());
        text.ShouldContain("Next: read notebooks/01-socket-echo.ipynb, fill in the TODOs in labs/Lab01.SocketEcho/, then run ./course check 01.");
        text.ShouldContain("coming soon");
    }

    [Fact]
    public void Status_shows_the_last_score_and_failure()
    {
        var progress = new Dictionary<string, LabProgress>
        {
            ["01"] = new("01", GradeStatus.Fail, 7, 25, "Stop frees the port: Not implemented yet", DateTimeOffset.Now.AddYears(1)),
        };
        var text = StatusCommand.Render(TestRepo.Course, progress);
        text.ShouldContain("7/25");
        text.ShouldContain("Last failure: Stop frees the port: Not implemented yet");
    }

    [Theory]
    [InlineData("solutions/Lab01.SocketEcho/EchoServer.cs", true)]
    [InlineData("tests/Course.Tests/CliTests.cs", true)]
    [InlineData(".ci/run", true)]
    [InlineData("labs/Lab01.SocketEcho/EchoServer.cs", false)]
    [InlineData("tests/Lab01.SocketEcho.Tests/EchoTests.cs", false)]
    [InlineData("tests/Course.Testing/Within.cs", false)]
    [InlineData("tools/Course/Program.cs", false)]
    public void Handout_leaves_out_solutions_and_the_course_machinery_tests(string path, bool leftOut)
    {
        HandoutCommand.IsLeftOut(path).ShouldBe(leftOut);
    }
}
