namespace Course.Tests;

/// <summary>The course repository these tests run in, and scratch repositories for the generator.</summary>
public static class TestRepo
{
    public static Repo Course { get; } = Repo.Find(AppContext.BaseDirectory);

    public static string Samples => Path.Combine(Course.Root, "tests", "Course.Tests", "samples");
}

/// <summary>A throwaway folder, deleted at the end of the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "course-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public string Write(string relative, string content)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public string Read(string relative) => File.ReadAllText(System.IO.Path.Combine(Path, relative));

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
