using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>Help for bare command groups, one error per mistake, and flag values named in errors.</summary>
public sealed class UsageErrorTests
{
    private static readonly Dictionary<string, string> s_closedEngine = new() { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{FreePort.Loopback()}" };

    [Fact]
    public void BareBerth_PrintsHelp_AndSucceeds()
    {
        var (code, stdout, stderr) = CliRunner.Run();

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
        Assert.Contains("stack", stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public void BareStack_PrintsItsHelp_AndSucceeds()
    {
        var (code, stdout, stderr) = CliRunner.Run("stack");

        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains(" stack [command] [options]", stdout, StringComparison.Ordinal);
        Assert.Contains("deploy", stdout, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stderr);
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "berth: unknown command 'frobnicate' for 'berth'\nRun 'berth --help' for usage.\n")]
    [InlineData(new[] { "stack", "frob" }, "berth: unknown command 'frob' for 'berth stack'\nRun 'berth stack --help' for usage.\n")]
    public void UnknownCommand_IsOneErrorLinePlusTheHint(string[] args, string expected)
    {
        var (code, stdout, stderr) = CliRunner.Run(args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(expected, stderr);
    }

    [Fact]
    public void UnexpectedExtraArgument_IsOneError()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "ps", "shop", "extra");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("berth: unexpected argument 'extra'\nRun 'berth stack ps --help' for usage.\n", stderr);
    }

    [Fact]
    public void InvalidOrchestratorFlag_NamesTheFlag()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "ls", "--orchestrator", "nomad");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("berth stack ls: invalid orchestrator 'nomad' (from --orchestrator): use swarm or kubernetes (or all)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("not recognized", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidChoice_NamesTheFlag_OnOneLine()
    {
        // (stack ls --format takes any Go template now, as docker's: 'xml' prints xml per stack.)
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "deploy", "-c", "compose.yaml", "--resolve-image", "sometimes", "shop");

        Assert.Equal(ExitCodes.Usage, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("berth: --resolve-image: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("'sometimes'", lines[0], StringComparison.Ordinal);
    }
}
