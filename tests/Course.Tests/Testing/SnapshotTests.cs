using System.Runtime.CompilerServices;

namespace Course.Tests.Testing;

/// <summary>
/// <see cref="Snapshot.ShouldMatchSnapshot"/>: approved files next to the test, scrubbed text,
/// and a failure that says where both files are and how to approve.
/// </summary>
/// <remarks>
/// Only <see cref="Snapshot_matches_its_approved_file_after_scrubbing"/> has an approved
/// file (committed). The failing cases clean up the .received.txt they cause.
/// </remarks>
public class SnapshotTests
{
    private static string SnapshotFolder =>
        Path.Combine(TestRepo.Course.Root, "tests", "Course.Tests", "Testing", Snapshot.Folder);

    private static string ApprovedPath(string name) => Path.Combine(SnapshotFolder, name + ".approved.txt");

    private static string ReceivedPath(string name) => Path.Combine(SnapshotFolder, name + ".received.txt");

    /// <summary>A session with a port, a GUID and a duration: what scrubbing is for.</summary>
    private static string Session(int port)
    {
        var transcript = new Transcript();
        transcript.Event(transcript.Client, $"connect 127.0.0.1:{port} → connected as 0f8fad5b-d9cb-469f-a165-70867728950e");
        transcript.ClientSent("hello\n"u8);
        transcript.ServerSent("hello\n"u8);
        transcript.Event(transcript.Server, "echoed in 3 ms");
        return transcript.ToString();
    }

    [Fact]
    public void Snapshot_matches_its_approved_file_after_scrubbing()
    {
        int port = Random.Shared.Next(40000, 60000);

        Session(port).ShouldMatchSnapshot(Scrub.Port(port, "<server-port>"));

        File.Exists(ReceivedPath($"{nameof(SnapshotTests)}.{nameof(Snapshot_matches_its_approved_file_after_scrubbing)}")).ShouldBeFalse();
    }

    [Fact]
    public void Snapshot_ignores_line_endings()
    {
        int port = Random.Shared.Next(40000, 60000);

        Session(port).Replace("\n", "\r\n", StringComparison.Ordinal)
            .ShouldMatchSnapshot(Scrub.Port(port, "<server-port>"), testName: nameof(Snapshot_matches_its_approved_file_after_scrubbing));
    }

    [Fact]
    public void Snapshot_without_an_approved_file_fails_naming_both_files_and_the_cp_command()
    {
        var name = $"{nameof(SnapshotTests)}.{nameof(Snapshot_without_an_approved_file_fails_naming_both_files_and_the_cp_command)}.never-approved";
        var approved = ApprovedPath(name);
        var received = ReceivedPath(name);
        try
        {
            var e = Should.Throw<SnapshotMismatchException>(() => "hello from 127.0.0.1:51234\n".ShouldMatchSnapshot(discriminator: "never-approved"));

            e.Message.ShouldStartWith($"Snapshot '{name}' has no approved snapshot yet.");
            e.Message.ShouldContain($"approved: {approved}");
            e.Message.ShouldContain($"received: {received}");
            e.Message.ShouldContain($"cp \"{received}\" \"{approved}\"");
            File.ReadAllText(received).ShouldBe("hello from 127.0.0.1:<port>\n");
            File.Exists(approved).ShouldBeFalse();
        }
        finally
        {
            File.Delete(received);
        }
    }

    [Fact]
    public void Snapshot_that_differs_fails_and_leaves_the_approved_file_alone()
    {
        var name = $"{nameof(SnapshotTests)}.{nameof(Snapshot_matches_its_approved_file_after_scrubbing)}";
        var approved = ApprovedPath(name);
        var received = ReceivedPath(name);
        var before = File.ReadAllText(approved);
        try
        {
            var e = Should.Throw<SnapshotMismatchException>(() => "something else\n".ShouldMatchSnapshot(testName: nameof(Snapshot_matches_its_approved_file_after_scrubbing)));

            e.Message.ShouldStartWith($"Snapshot '{name}' does not match its approved snapshot.");
            e.Message.ShouldContain($"cp \"{received}\" \"{approved}\"");
            File.ReadAllText(received).ShouldBe("something else\n");
            File.ReadAllText(approved).ShouldBe(before);
        }
        finally
        {
            File.Delete(received);
        }
    }

    [Fact]
    public void ResolveSourceFile_keeps_a_path_that_exists()
    {
        var here = ThisFile();

        Snapshot.ResolveSourceFile(here).ShouldBe(here);
    }

    [Theory]
    [InlineData("/_/")]
    [InlineData("/_1/")]
    public void ResolveSourceFile_maps_a_deterministic_build_path_back_to_the_checkout(string root)
    {
        var real = Path.Combine(TestRepo.Course.Root, "tests", "Course.Tests", "Testing", "SnapshotTests.cs");

        Snapshot.ResolveSourceFile(root + "tests/Course.Tests/Testing/SnapshotTests.cs").ShouldBe(real);
    }

    [Fact]
    public void ResolveSourceFile_of_an_unknown_file_says_to_run_from_a_checkout()
    {
        var e = Should.Throw<InvalidOperationException>(() => Snapshot.ResolveSourceFile("/_/no/such/Tests.cs"));

        e.Message.ShouldContain("'/_/no/such/Tests.cs'");
        e.Message.ShouldContain("Run the tests from a checkout of the repository.");
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
