using Course.Kernel;

namespace Course.Tests.Kernel;

/// <summary>The kernelspec Jupyter clients read, and the editor helpers that need no kernel.</summary>
public class KernelSpecTests
{
    [Fact]
    public void The_kernelspec_starts_the_course_cli_with_the_connection_file_and_interrupts_by_message()
    {
        var spec = KernelSpec.Create(["/repo/course"], "/repo");
        spec["argv"]!.AsArray().Select(a => a!.GetValue<string>()).ShouldBe(["/repo/course", "notebooks", "kernel", "{connection_file}"]);
        spec["display_name"]!.GetValue<string>().ShouldBe("C# (Socket → WebSocket Lab)");
        spec["language"]!.GetValue<string>().ShouldBe("csharp");
        spec["interrupt_mode"]!.GetValue<string>().ShouldBe("message");
    }

    [Fact]
    public void Install_writes_kernels_name_kernel_json_and_uninstall_removes_it()
    {
        using var data = new TempFolder();
        var path = KernelSpec.Install(data.Path, KernelSpec.Create(["/repo/course"], "/repo"));
        path.ShouldBe(Path.Combine(data.Path, "kernels", "socket-websocket-lab", "kernel.json"));
        File.ReadAllText(path).ShouldContain("\"display_name\": \"C# (Socket → WebSocket Lab)\"");
        KernelSpec.Uninstall(data.Path).ShouldBeTrue();
        Directory.Exists(Path.GetDirectoryName(path)).ShouldBeFalse();
        KernelSpec.Uninstall(data.Path).ShouldBeFalse("uninstalling twice is not an error, just nothing to do");
    }

    [Theory]
    [InlineData("", "complete")]
    [InlineData("var x = 1;", "complete")]
    [InlineData("foreach (var i in new[] { 1 })", "incomplete")]
    [InlineData("var x = 1 +;", "invalid")]
    [InlineData("class C {\n  void M() {", "incomplete")]
    public void Is_complete_follows_the_parser(string code, string expected)
    {
        var answer = CodeAssistant.IsComplete(code);
        answer.Status.ShouldBe(expected, code);
        if (code.StartsWith("class", StringComparison.Ordinal))
            answer.Indent.ShouldBe("        ", "two open braces: two levels of indent");
    }
}
