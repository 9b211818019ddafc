using Berth.Cli.Commands.Stack;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary><c>--timeout</c>: docker's durations, bare seconds and TimeSpan's hh:mm:ss; help shows docker's form; rm needs --wait for it.</summary>
public sealed class DurationOptionTests
{
    private static readonly Dictionary<string, string> s_closedEngine = new() { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{FreePort.Loopback()}" };

    [Fact]
    public void RmTimeout_WithoutWait_IsAUsageError_BeforeConnecting()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "rm", "shop", "--timeout", "30s");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("berth stack rm: --timeout only applies with --wait", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:03")]
    [InlineData("1m30s")]
    [InlineData("30s")]
    [InlineData("45")]
    public void DeployTimeout_AcceptsDockerDurations_SecondsAndTimeSpan(string value)
    {
        // The file does not exist: getting to the loader's error (exit 1) proves the flag parsed.
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "deploy", "-c", "/nonexistent/compose.yaml", "--timeout", value, "shop");

        Assert.True(code == ExitCodes.InvalidInput, stderr);
        Assert.Contains("Compose file not found", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DeployTimeout_Garbage_IsAUsageError()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "deploy", "-c", "x.yaml", "--timeout", "soon", "shop");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("invalid duration 'soon' for --timeout", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy", "[default: 5m0s]")]
    [InlineData("rm", "[default: 2m0s]")]
    public void Help_ShowsTheTimeoutDefault_InDockersForm(string verb, string expected)
    {
        var (code, stdout, _) = CliRunner.Run("stack", verb, "--help");

        Assert.Equal(ExitCodes.Success, code);
        var line = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("--timeout", StringComparison.Ordinal));
        Assert.EndsWith(expected, line.TrimEnd(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30s", 30)]
    [InlineData("1m30s", 90)]
    [InlineData("00:05:00", 300)]
    [InlineData("01:00:00", 3600)]
    [InlineData("90", 90)]
    [InlineData("1h", 3600)]
    public void Duration_Parses(string text, int seconds)
    {
        Assert.True(DurationOption.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("-00:00:03")]
    [InlineData("5 minutes")]
    [InlineData("")]
    [InlineData("1:2:3:4:5")]
    public void Duration_RefusesNonsense(string text)
        => Assert.False(DurationOption.TryParse(text, out _));

    [Theory]
    [InlineData(300, "5m0s")]
    [InlineData(90, "1m30s")]
    [InlineData(30, "30s")]
    [InlineData(3600, "1h0m0s")]
    [InlineData(0, "0s")]
    public void Duration_PrintsLikeGo(int seconds, string expected)
        => Assert.Equal(expected, new Duration(TimeSpan.FromSeconds(seconds)).ToString());
}
