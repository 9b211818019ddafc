using System.Text.Json;
using Berth.Testing;

namespace Berth.Cli.Tests;

public sealed class ConfigCommandTests
{
    [Fact]
    public void Config_ValidFile_PrintsCanonicalYamlAndExitsZero()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));
        var (code, stdout, stderr) = CliRunner.Run("config", "-c", project.PathOf("compose.yaml"), "-p", "demo");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(string.Empty, stderr);
        Assert.StartsWith("name: demo\nservices:\n  web:\n", stdout, StringComparison.Ordinal);
        Assert.Contains("image: nginx", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_JsonOutput_IsValidJson()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));
        var (code, stdout, _) = CliRunner.Run("config", "-c", project.PathOf("compose.yaml"), "-o", "json");

        Assert.Equal(ExitCodes.Success, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("nginx", doc.RootElement.GetProperty("services").GetProperty("web").GetProperty("image").GetString());
    }

    [Fact]
    public void Config_MissingFile_ExitsOneWithHint()
    {
        var (code, stdout, stderr) = CliRunner.Run("config", "-c", "/nonexistent/compose.yaml");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("BC001", stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_SyntaxError_ReportsFileLineAndColumn()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: [oops\n"));
        var (code, _, stderr) = CliRunner.Run("config", "-c", project.PathOf("compose.yaml"));

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Matches(@"compose\.yaml:\d+:\d+: error BC003", stderr);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_UnknownFlag_IsAUsageError()
    {
        var (code, _, stderr) = CliRunner.Run("config", "--no-such-flag");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--no-such-flag", stderr, StringComparison.Ordinal);
        Assert.Contains("--help", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_BadOutputFormat_IsAUsageError()
    {
        var (code, _, _) = CliRunner.Run("config", "-o", "xml");
        Assert.Equal(ExitCodes.Usage, code);
    }

    [Fact]
    public void Config_Services_PrintsSortedNames()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  b: {image: x}\n  a: {image: y}\n"));
        var (code, stdout, _) = CliRunner.Run("config", "-c", project.PathOf("compose.yaml"), "--services");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal("a\nb\n", stdout);
    }

    [Fact]
    public void Config_Quiet_PrintsNothingOnSuccess()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  a: {image: y}\n"));
        var (code, stdout, _) = CliRunner.Run("config", "-c", project.PathOf("compose.yaml"), "-q");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public void Help_ListsConfigCommand()
    {
        var (code, stdout, _) = CliRunner.Run("--help");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("config", stdout, StringComparison.Ordinal);
        Assert.Contains("--verbose", stdout, StringComparison.Ordinal);
    }
}
