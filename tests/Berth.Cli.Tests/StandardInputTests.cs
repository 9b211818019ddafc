using Berth.Compose.Loading;

namespace Berth.Cli.Tests;

/// <summary><c>-c -</c> reads the Compose file from standard input (docker compose's <c>-f -</c>) in config, convert and stack diff.</summary>
public sealed class StandardInputTests
{
    private const string Valid = "services:\n  web:\n    image: nginx\n";
    private const string Invalid = "services:\n  web:\n    imagee: nginx\n";

    [Fact]
    public void Config_ReadsStandardInput_WithTheWorkingDirectoryAsProjectDirectory()
    {
        var (code, stdout, stderr) = CliRunner.RunWithInput(Valid, "config", "-c", "-");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("image: nginx", stdout, StringComparison.Ordinal);
        var folderName = ProjectNames.Normalize(Path.GetFileName(Environment.CurrentDirectory.TrimEnd(Path.DirectorySeparatorChar)));
        Assert.StartsWith($"name: {folderName}\n", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_ErrorsInStandardInput_NameIt()
    {
        var (code, _, stderr) = CliRunner.RunWithInput(Invalid, "config", "-c", "-");

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("<stdin>:3:5: error BC301: additional property 'imagee' is not allowed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_ReadsStandardInput()
    {
        var (code, stdout, stderr) = CliRunner.RunWithInput(Valid, "convert", "-c", "-", "-p", "demo");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("kind: Deployment", stdout, StringComparison.Ordinal);
        Assert.Contains("name: web", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void StackDiff_InvalidStandardInput_IsInvalidInput_NotAnInternalError()
    {
        var environment = new Dictionary<string, string> { ["DOCKER_HOST"] = "tcp://127.0.0.1:1" };
        using var stdin = new StringReader(Invalid);
        using var stdout = new StringWriter { NewLine = "\n" };
        using var stderr = new StringWriter { NewLine = "\n" };

        var code = BerthCommand.Run(["stack", "diff", "-c", "-", "shop"], stdout, stderr, name => environment.GetValueOrDefault(name), stdin);

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("<stdin>:3:5: error BC301", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", stderr.ToString(), StringComparison.Ordinal);
    }
}
