using Course.Grading;

namespace Course.Tests;

/// <summary>The grader on a sample result: points, statuses, the table and the JSON (golden files).</summary>
public class GraderTests
{
    private static readonly LabInfo Lab01 = CourseMap.Find("01");

    private static readonly Dictionary<string, GradedInfo> Points = new()
    {
        ["Lab01.SocketEcho.Tests.EchoTests.Single_echo_returns_the_same_bytes"] = new(2, null),
        ["Lab01.SocketEcho.Tests.EchoTests.Stop_frees_the_port"] = new(3, "Dispose the listening socket, then every accepted one."),
        ["Lab01.SocketEcho.Tests.FramingTests.Line_decoder_splits"] = new(2, null),
        ["Lab01.SocketEcho.Tests.EchoTests.Hundred_clients_each_get_their_own_bytes"] = new(4, null),
    };

    private static LabGrade SampleGrade() =>
        GradeCalculator.Grade(Lab01, TrxReader.Read(Path.Combine(TestRepo.Samples, "lab01-results.trx")), Points);

    [Fact]
    public void Trx_reader_joins_results_to_their_methods()
    {
        var run = TrxReader.Read(Path.Combine(TestRepo.Samples, "lab01-results.trx"));
        run.Cases.Count.ShouldBe(5);
        run.Cases.Count(c => c.MethodKey == "Lab01.SocketEcho.Tests.FramingTests.Line_decoder_splits").ShouldBe(2);
        run.TestAssembly.ShouldBe("/repo/tests/Lab01.SocketEcho.Tests/bin/labs/Debug/net10.0/Lab01.SocketEcho.Tests.dll");
        run.Cases[0].Output.ShouldBe("server listening on 127.0.0.1:40000");
    }

    [Fact]
    public void Points_are_earned_only_by_graded_tests_that_pass()
    {
        var grade = SampleGrade();
        grade.Points.ShouldBe(2);
        grade.Max.ShouldBe(11);
        grade.Status.ShouldBe(GradeStatus.Fail);
    }

    [Fact]
    public void A_theory_passes_only_when_every_case_passes_and_its_message_names_the_case()
    {
        var test = SampleGrade().Tests.Single(t => t.Name == "FramingTests.Line_decoder_splits");
        test.Status.ShouldBe(GradeStatus.Fail);
        test.Message.ShouldStartWith("Line_decoder_splits(input: \"a\\r\\nb\\r\\n\"): Expected [\"a\", \"b\"]");
    }

    [Fact]
    public void A_starter_TODO_reads_as_not_implemented_yet_with_its_hint()
    {
        var test = SampleGrade().Tests.Single(t => t.Name == "EchoTests.Stop_frees_the_port");
        test.Message.ShouldBe("Not implemented yet: Lab 01 · step 4: close the listener and every connection. Notebook 01 §7.");
        test.Hint.ShouldBe("Dispose the listening socket, then every accepted one.");
    }

    [Fact]
    public void A_graded_test_with_no_result_scores_zero_and_says_it_did_not_run()
    {
        var test = SampleGrade().Tests.Single(t => t.Name == "EchoTests.Hundred_clients_each_get_their_own_bytes");
        (test.Status, test.Points, test.Max).ShouldBe((GradeStatus.Fail, 0, 4));
        test.Message!.ShouldContain("did not run");
    }

    [Fact]
    public void A_lab_that_does_not_build_is_an_error_and_keeps_its_max()
    {
        var grade = GradeCalculator.Error(Lab01, "The build failed:\nlabs/Lab01.SocketEcho/EchoServer.cs(3,1): error CS1002: ; expected", 25);
        var report = new GradeReport("labs", [grade, SampleGrade() with { Lab = "01" }]);
        report.Status.ShouldBe(GradeStatus.Error);
        report.Points.ShouldBe(2, "an error in one lab never zeroes another");
        report.Max.ShouldBe(36);
    }

    [Fact]
    public void Table_matches_the_approved_golden_file()
    {
        var report = new GradeReport("labs", [SampleGrade()]);
        ReportFormatter.ToTable(report).ShouldMatchApproved(c => c.SubFolder("snapshots").NoDiff());
    }

    [Fact]
    public void Json_follows_results_json_v3_with_points_and_matches_the_golden_file()
    {
        var error = GradeCalculator.Error(CourseMap.Find("02"), "The build failed:\nlabs/Lab02.TcpLifecycle/States.cs(3,1): error CS1002: ; expected", 20);
        var json = ReportFormatter.ToJson(new GradeReport("labs", [SampleGrade(), error]));
        var doc = System.Text.Json.JsonDocument.Parse(json).RootElement;
        doc.GetProperty("version").GetInt32().ShouldBe(3);
        doc.GetProperty("status").GetString().ShouldBe("error");
        doc.GetProperty("points").GetInt32().ShouldBe(2);
        doc.GetProperty("max").GetInt32().ShouldBe(31);
        var test = doc.GetProperty("labs")[0].GetProperty("tests")[0];
        string[] keys = ["name", "status", "message", "output", "points", "max"];
        foreach (var key in keys)
            test.TryGetProperty(key, out _).ShouldBeTrue($"each test has '{key}' (Exercism results.json v3, plus points)");
        json.ShouldMatchApproved(c => c.SubFolder("snapshots").WithFileExtension(".json").NoDiff());
    }

    [Fact]
    public void An_ungraded_test_that_skips_is_shown_with_its_reason_but_does_not_fail_the_lab()
    {
        // Lab 02's capture tests skip without capture privileges; they carry no points.
        var run = new TestRunResults(
        [
            new TestCaseResult("Ns.CaptureTests", "Ladder_matches", "Ns.CaptureTests.Ladder_matches", "NotExecuted", "Packet capture is not available here: run as root.", null, null),
            new TestCaseResult("Ns.EchoTests", "Echo", "Ns.EchoTests.Echo", "Passed", null, null, null),
        ], null);
        var grade = GradeCalculator.Grade(Lab01, run, new Dictionary<string, GradedInfo> { ["Ns.EchoTests.Echo"] = new(2, null) });
        grade.Status.ShouldBe(GradeStatus.Pass);
        grade.FirstFailure.ShouldBeNull();
        var skipped = grade.Tests.Single(t => t.Name == "CaptureTests.Ladder_matches");
        skipped.Status.ShouldBe(GradeStatus.Skip);
        var table = ReportFormatter.ToTable(new GradeReport("labs", [grade]));
        table.ShouldContain("  ○     -  Ladder matches\n            Skipped: Packet capture is not available here: run as root.");
    }

    [Fact]
    public void A_graded_test_that_skips_scores_nothing_and_fails()
    {
        var run = new TestRunResults([new TestCaseResult("Ns.T", "Graded", "Ns.T.Graded", "Skipped", "no tool", null, null)], null);
        var grade = GradeCalculator.Grade(Lab01, run, new Dictionary<string, GradedInfo> { ["Ns.T.Graded"] = new(3, null) });
        (grade.Status, grade.Points, grade.Max).ShouldBe((GradeStatus.Fail, 0, 3));
        grade.Tests.Single().Message.ShouldBe("Not run (skipped). no tool");
    }

    [Fact]
    public void Graded_points_and_hints_are_read_from_a_compiled_assembly()
    {
        var points = GradedPoints.Read(typeof(SampleGradedTests).Assembly.Location);
        points[$"{typeof(SampleGradedTests).FullName}.{nameof(SampleGradedTests.Worth_three)}"].ShouldBe(new GradedInfo(3, "Read §2."));
        points.Keys.ShouldNotContain($"{typeof(SampleGradedTests).FullName}.{nameof(SampleGradedTests.Not_graded)}");
    }

    [Fact]
    public void Compiler_messages_are_the_distinct_error_lines_relative_to_the_repository()
    {
        var root = TestRepo.Course.Root;
        var output = $"{root}/labs/Lab01.SocketEcho/EchoServer.cs(12,5): error CS1002: ; expected [{root}/labs/Lab01.SocketEcho/Lab01.SocketEcho.csproj]\n"
                     + $"{root}/labs/Lab01.SocketEcho/EchoServer.cs(12,5): error CS1002: ; expected [{root}/tests/Lab01.SocketEcho.Tests/Lab01.SocketEcho.Tests.csproj]\n"
                     + $"{root}/labs/Lab01.SocketEcho/EchoServer.cs(3,1): warning CS0168: unused\n";
        new Grader(TestRepo.Course).CompilerMessages(output)
            .ShouldBe("The build failed:\nlabs/Lab01.SocketEcho/EchoServer.cs(12,5): error CS1002: ; expected");
    }
}

/// <summary>Not run as tests (no [Fact]): a sample for <see cref="GradedPoints"/>.</summary>
public class SampleGradedTests
{
    [Graded(3, Hint = "Read §2.")]
    public void Worth_three() { }

    public void Not_graded() { }
}
