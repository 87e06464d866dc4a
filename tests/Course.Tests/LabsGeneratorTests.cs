using Course.Markers;

namespace Course.Tests;

/// <summary>labs/ generated from solutions/, and --check's report.</summary>
public class LabsGeneratorTests
{
    private const string Solution = "class A\n{\n    int F()\n    {\n        // BEGIN SOLUTION\n        return 1;\n        // END SOLUTION\n        // STARTER: throw new System.NotImplementedException();\n    }\n}\n";
    private const string Starter = "class A\n{\n    int F()\n    {\n        throw new System.NotImplementedException();\n    }\n}\n";

    private static TempFolder NewRepo()
    {
        var repo = new TempFolder();
        repo.Write("Lab.sln", "");
        repo.Write("solutions/Lab01.Sample/Lab01.Sample.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\" />\n");
        repo.Write("solutions/Lab01.Sample/A.cs", Solution);
        repo.Write("solutions/Lab01.Sample/web/index.html", "<p>\n<!-- BEGIN SOLUTION -->\nyes\n<!-- END SOLUTION -->\n</p>\n");
        repo.Write("solutions/Lab01.Sample/Helper.cs", "// SOLUTION FILE\nclass Helper {}\n");
        repo.Write("solutions/Lab01.Sample/bin/Debug/junk.cs", "// BEGIN SOLUTION\n");
        repo.Write("solutions/Lab01.Sample/obj/junk.cs", "// BEGIN SOLUTION\n");
        return repo;
    }

    [Fact]
    public void Generate_writes_starters_and_copies_the_rest()
    {
        using var temp = NewRepo();
        var written = new LabsGenerator(new Repo(temp.Path)).Write();

        written.Select(w => w.Path).ShouldBe(["labs/Lab01.Sample/A.cs", "labs/Lab01.Sample/Lab01.Sample.csproj", "labs/Lab01.Sample/web/index.html"]);
        temp.Read("labs/Lab01.Sample/A.cs").ShouldBe(Starter);
        temp.Read("labs/Lab01.Sample/web/index.html").ShouldBe("<p>\n</p>\n");
        File.Exists(Path.Combine(temp.Path, "labs/Lab01.Sample/Helper.cs")).ShouldBeFalse("a SOLUTION FILE is not handed out");
        Directory.Exists(Path.Combine(temp.Path, "labs/Lab01.Sample/bin")).ShouldBeFalse("build output is not source");
        new LabsGenerator(new Repo(temp.Path)).Check().ShouldBeEmpty();
    }

    [Fact]
    public void Check_lists_stale_missing_and_extra_files()
    {
        using var temp = NewRepo();
        var generator = new LabsGenerator(new Repo(temp.Path));
        generator.Write();
        temp.Write("labs/Lab01.Sample/A.cs", "edited by hand\n");
        File.Delete(Path.Combine(temp.Path, "labs/Lab01.Sample/web/index.html"));
        temp.Write("labs/Lab01.Sample/Extra.cs", "class Extra {}\n");
        temp.Write("labs/Lab01.Sample/obj/ignored.cs", "build output is ignored\n");

        generator.Check().Select(s => $"{s.Path}: {s.Why}").ShouldBe(
        [
            "labs/Lab01.Sample/A.cs: differs from what solutions/ generates",
            "labs/Lab01.Sample/web/index.html: missing",
            "labs/Lab01.Sample/Extra.cs: not generated from solutions/ (extra file)",
        ]);

        generator.Write();
        generator.Check().ShouldBeEmpty();
        File.Exists(Path.Combine(temp.Path, "labs/Lab01.Sample/Extra.cs")).ShouldBeFalse();
    }

    [Fact]
    public void A_marker_error_names_the_solution_file_and_line()
    {
        using var temp = NewRepo();
        temp.Write("solutions/Lab01.Sample/B.cs", "class B\n{\n    // BEGIN SOLUTION\n}\n");
        Should.Throw<CourseException>(() => new LabsGenerator(new Repo(temp.Path)).Generate())
            .Message.ShouldBe("solutions/Lab01.Sample/B.cs:3: 'BEGIN SOLUTION' has no 'END SOLUTION'.");
    }

    [Fact]
    public void A_student_repository_without_solutions_cannot_generate()
    {
        using var temp = new TempFolder();
        Should.Throw<CourseException>(() => new LabsGenerator(new Repo(temp.Path)).Generate())
            .Message.ShouldContain("solutions/ not found");
    }

    [Fact]
    public void The_course_labs_are_up_to_date_with_solutions()
    {
        var stale = new LabsGenerator(TestRepo.Course).Check();
        stale.ShouldBeEmpty("labs/ is generated from solutions/: run ./course labs generate. Stale: " + string.Join(", ", stale.Select(s => s.Path)));
    }
}
