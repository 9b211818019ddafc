using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>stack diff --exit-code</c>: 1 means "changes pending", so every error is above 1 (as kubectl diff); invalid
/// input is 4. Without --exit-code the usual codes stay. All cases fail before the (unreachable) engine is contacted.
/// </summary>
public sealed class DiffExitCodeTests
{
    private static readonly Dictionary<string, string> s_closedEngine = new() { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{FreePort.Loopback()}" };

    [Fact]
    public void InvalidCompose_UnderExitCode_IsFour()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    imagee: nginx\n"));

        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "diff", "--exit-code", "-c", project.PathOf("compose.yaml"), "shop");

        Assert.Equal(ExitCodes.DiffInvalidInput, code);
        Assert.Equal(4, code);
        Assert.Contains("error BC301", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidCompose_WithoutExitCode_StaysOne()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    imagee: nginx\n"));

        var (code, _, _) = CliRunner.RunWith(s_closedEngine, "stack", "diff", "-c", project.PathOf("compose.yaml"), "shop");

        Assert.Equal(ExitCodes.InvalidInput, code);
    }

    [Fact]
    public void UnreachableEngine_UnderExitCode_IsThree()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));

        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "diff", "--exit-code", "-c", project.PathOf("compose.yaml"), "shop");

        Assert.True(code == ExitCodes.OrchestratorError, stderr);
    }

    [Fact]
    public void BadStackName_UnderExitCode_IsTwo()
    {
        var (code, _, _) = CliRunner.RunWith(s_closedEngine, "stack", "diff", "--exit-code", "-c", "x.yaml", "Nu.Bad");

        Assert.Equal(ExitCodes.Usage, code);
    }
}
