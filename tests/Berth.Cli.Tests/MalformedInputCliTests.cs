using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// Issue 9: no input makes config or convert end in "internal error" (exit 70). Inputs the fuzzer broke Berth with
/// (tests/Berth.Compose.Tests/Fuzz/Cases) are syntax diagnostics with file:line:col and exit 1.
/// </summary>
public sealed class MalformedInputCliTests
{
    public static TheoryData<string, string> KeptCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.EnumerateFiles(CasesDirectory).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal))
        {
            foreach (var command in new[] { "config", "convert", "convert --explain" })
            {
                data.Add(file, command);
            }
        }

        return data;
    }

    [Theory]
    [InlineData("config")]
    [InlineData("convert")]
    [InlineData("convert --explain")]
    public void FlowMappingOpenAtTheEnd_IsASyntaxErrorWithLocationAndExitOne(string command)
    {
        // The five bytes of the issue: ': {', a newline and 'k'. YamlDotNet throws InvalidOperationException on them.
        using var project = new TempProject(("compose.yaml", ": {\nk"));
        var (code, stdout, stderr) = CliRunner.Run([.. command.Split(' '), "-c", project.PathOf("compose.yaml")]);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains($"{project.PathOf("compose.yaml")}:2:1: error BC003:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(KeptCases))]
    public void KeptFuzzCase_EndsInDiagnosticsNotAnInternalError(string caseFile, string command)
    {
        var (code, _, stderr) = CliRunner.Run([.. command.Split(' '), "-c", Path.Combine(CasesDirectory, caseFile)]);

        Assert.True(code is ExitCodes.Success or ExitCodes.InvalidInput, $"exit {code}: {stderr}");
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void WindowsBindSource_IsAcceptedByConfig()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n    volumes: ['C:\\Users\\data:D:\\config:rw']\n"));
        var (code, stdout, stderr) = CliRunner.Run("config", "-c", project.PathOf("compose.yaml"));

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("source: C:\\Users\\data", stdout, StringComparison.Ordinal);
        Assert.Contains("target: D:\\config", stdout, StringComparison.Ordinal);
        Assert.Contains("type: bind", stdout, StringComparison.Ordinal);
    }

    private static string CasesDirectory => Path.Combine(Berth.Testing.RepositoryRoot.Path, "tests", "Berth.Compose.Tests", "Fuzz", "Cases");
}
