using Course.Grading;

namespace Course.Cli;

/// <summary>
/// `./course prove [--lab NN]`: every graded test passes on solutions/ and
/// fails on the lab's own starter (COURSE.md, "Grading"). A graded test that
/// passes on the starter asserts nothing. Earlier labs come from solutions/
/// (-p:TrackNN=labs), so each failure comes from lab NN's starter itself.
/// Ends with "prove: N passed, N failed", one check per graded test.
/// </summary>
public static class ProveCommand
{
    public static async Task<int> RunAsync(Repo repo, string? labId)
    {
        if (!repo.HasSolutions)
            throw new CourseException("prove needs solutions/, which a student repository does not have.");
        var labs = labId is null ? CourseMap.Available(repo).ToList() : [CourseMap.FindAvailable(repo, labId)];
        var grader = new Grader(repo);
        int passed = 0, failed = 0;
        foreach (var lab in labs)
        {
            var onSolutions = await grader.GradeAsync(lab, Grader.TrackProperties("solutions"), m => Console.Error.WriteLine($"  … {m}"));
            var onStarter = await grader.GradeAsync(lab, Grader.TrackProperties("solutions", lab, "labs"), m => Console.Error.WriteLine($"  … {m}"));
            var problems = Problems(onSolutions, onStarter).ToList();
            var graded = onSolutions.Tests.Count(t => t.IsGraded);
            if (graded == 0)
                problems.Add(("(lab)", "no graded test ran on solutions/"));
            // One check per graded test; each test (or lab-wide problem) with a problem fails once.
            var bad = problems.Select(p => p.Test).Distinct().Count();
            passed += Math.Max(0, graded - bad);
            failed += bad;
            Console.WriteLine(problems.Count == 0
                ? $"✓ Lab {lab.Number}: all {graded} graded tests ({onSolutions.Max} points) pass on solutions/ and fail on labs/{lab.Project}."
                : $"✗ Lab {lab.Number}: {problems.Count} problem(s):");
            foreach (var (test, why) in problems)
                Console.WriteLine($"    {test}: {why}");
        }
        Console.WriteLine($"prove: {passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>What breaks the rule: a graded test that fails on solutions/ or passes on the starter.</summary>
    public static IEnumerable<(string Test, string Why)> Problems(LabGrade onSolutions, LabGrade onStarter)
    {
        if (onSolutions.Status == GradeStatus.Error)
            yield return ("(solutions)", GradeCalculator.FirstLine(onSolutions.Message));
        if (onStarter.Status == GradeStatus.Error && onStarter.Tests.Count == 0)
            yield return ("(starter)", "the starter does not build: " + onStarter.Headline);
        foreach (var test in onSolutions.Tests.Where(t => t.Failed))
            yield return (test.Name, "fails on solutions/: " + GradeCalculator.FirstLine(test.Message));
        foreach (var test in onStarter.Tests.Where(t => t.IsGraded && t.Passed))
            yield return (test.Name, "passes on the starter, so it does not test the learner's work");
    }
}
