using Course.Markers;

namespace Course.Tests;

/// <summary>The starter generator's marker rules (COURSE.md, "Solution markers").</summary>
public class SolutionMarkersTests
{
    private static string Sample(string name) => File.ReadAllText(Path.Combine(TestRepo.Samples, "markers", name));

    [Fact]
    public void Sample_solution_becomes_the_approved_starter()
    {
        var starter = SolutionMarkers.ToStarter(Sample("Greeter.cs"), "Greeter.cs");
        starter.ShouldNotBeNull().ShouldMatchApproved(c => c.SubFolder("snapshots").WithFileExtension(".cs.txt").NoDiff());
    }

    [Fact]
    public void Region_is_removed_and_starter_line_uncommented_at_its_indentation()
    {
        var text = "int F()\n{\n    // BEGIN SOLUTION\n    return 42;\n    // END SOLUTION\n    // STARTER: throw new NotImplementedException(\"step 1\");\n}\n";
        SolutionMarkers.ToStarter(text, "F.cs").ShouldBe("int F()\n{\n    throw new NotImplementedException(\"step 1\");\n}\n");
    }

    [Fact]
    public void Text_outside_markers_is_kept_byte_for_byte_including_CRLF()
    {
        var text = "a\r\n// BEGIN SOLUTION\r\nb\r\n// END SOLUTION\r\n  // STARTER: c\r\nd";
        SolutionMarkers.ToStarter(text, "F.cs").ShouldBe("a\r\n  c\r\nd");
    }

    [Fact]
    public void Html_and_hash_comments_are_markers_too()
    {
        var html = "<ul>\n  <!-- BEGIN SOLUTION -->\n  <li>answer</li>\n  <!-- END SOLUTION -->\n  <!-- STARTER: <li>TODO</li> -->\n</ul>\n";
        SolutionMarkers.ToStarter(html, "page.html").ShouldBe("<ul>\n  <li>TODO</li>\n</ul>\n");
        var shell = "# BEGIN SOLUTION\necho hi\n# END SOLUTION\n# STARTER: echo TODO\n";
        SolutionMarkers.ToStarter(shell, "run.sh").ShouldBe("echo TODO\n");
    }

    [Fact]
    public void Solution_file_marker_leaves_the_file_out()
    {
        SolutionMarkers.ToStarter("\n// SOLUTION FILE\nclass Helper {}\n", "Helper.cs").ShouldBeNull();
    }

    [Fact]
    public void Solution_file_marker_after_code_is_an_error()
    {
        Should.Throw<CourseException>(() => SolutionMarkers.ToStarter("class A {}\n// SOLUTION FILE\n", "A.cs"))
            .Message.ShouldBe("A.cs:2: 'SOLUTION FILE' must be the first non-blank line of the file.");
    }

    [Fact]
    public void Nested_region_is_an_error_naming_both_lines()
    {
        Should.Throw<CourseException>(() => SolutionMarkers.ToStarter(Sample("Nested.cs"), "Nested.cs"))
            .Message.ShouldBe("Nested.cs:7: 'BEGIN SOLUTION' inside the region opened at line 5: regions cannot nest; close that one first with 'END SOLUTION'.");
    }

    [Fact]
    public void Begin_without_end_is_an_error_naming_its_line()
    {
        Should.Throw<CourseException>(() => SolutionMarkers.ToStarter(Sample("Unbalanced.cs"), "Unbalanced.cs"))
            .Message.ShouldBe("Unbalanced.cs:5: 'BEGIN SOLUTION' has no 'END SOLUTION'.");
    }

    [Fact]
    public void End_without_begin_is_an_error()
    {
        Should.Throw<CourseException>(() => SolutionMarkers.ToStarter("x\n// END SOLUTION\n", "X.cs"))
            .Message.ShouldBe("X.cs:2: 'END SOLUTION' without a 'BEGIN SOLUTION' before it.");
    }

    [Fact]
    public void Starter_line_inside_a_region_is_an_error()
    {
        Should.Throw<CourseException>(() => SolutionMarkers.ToStarter("// BEGIN SOLUTION\n// STARTER: x\n// END SOLUTION\n", "X.cs"))
            .Message.ShouldContain("X.cs:2: a 'STARTER:' line inside the solution region opened at line 1");
    }

    [Theory]
    [InlineData("// BEGIN SOLUTIONS")]
    [InlineData("// END SOLUTION here")]
    public void Misspelt_marker_is_an_error_not_silently_kept(string line)
    {
        Should.Throw<CourseException>(() => SolutionMarkers.ToStarter($"a\n{line}\n", "X.cs"))
            .Message.ShouldStartWith("X.cs:2: malformed marker");
    }

    [Fact]
    public void Ordinary_comments_and_preprocessor_lines_are_not_markers()
    {
        var text = "#region Echo\n// The server echoes: see BEGIN and END of a session.\n#endregion\n";
        SolutionMarkers.ToStarter(text, "X.cs").ShouldBe(text);
    }
}
