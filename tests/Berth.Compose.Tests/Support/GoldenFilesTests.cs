using Berth.Testing;

namespace Berth.Compose.Tests.Support;

/// <summary>
/// The golden runners' update switch (<see cref="GoldenFiles.UpdateRequested"/>): BERTH_UPDATE_GOLDEN=1 rewrites
/// expectations only where no CI variable is set, in any case and with any value (CI=True used to slip through
/// a check for CI == "true" and rewrote a corrupted expected file instead of failing).
/// </summary>
public sealed class GoldenFilesTests
{
    [Fact]
    public void NoSwitch_Compares()
    {
        Assert.False(GoldenFiles.UpdateRequested(new Dictionary<string, string>()));
        Assert.False(GoldenFiles.UpdateRequested(new Dictionary<string, string> { ["CI"] = "true", ["BERTH_UPDATE_GOLDEN"] = string.Empty }));
    }

    [Fact]
    public void SwitchOnADevelopersMachine_Rewrites()
        => Assert.True(GoldenFiles.UpdateRequested(new Dictionary<string, string> { ["BERTH_UPDATE_GOLDEN"] = "1", ["HOME"] = "/home/dev", ["PATH"] = "/usr/bin" }));

    [Theory]
    [InlineData("CI", "true")]
    [InlineData("CI", "True")]
    [InlineData("CI", "1")]
    [InlineData("CI", "false")]
    [InlineData("ci", "yes")]
    [InlineData("GITHUB_ACTIONS", "true")]
    [InlineData("GitLab_CI", "true")]
    [InlineData("CI_PIPELINE_ID", "42")]
    [InlineData("TF_BUILD", "True")]
    [InlineData("JENKINS_URL", "http://jenkins")]
    [InlineData("BUILDKITE", "true")]
    [InlineData("CONTINUOUS_INTEGRATION", "1")]
    public void SwitchWithACiVariable_FailsTheTest_NamingIt(string name, string value)
    {
        var environment = new Dictionary<string, string> { ["BERTH_UPDATE_GOLDEN"] = "1", [name] = value };

        var error = Record.Exception(() => GoldenFiles.UpdateRequested(environment));

        Assert.NotNull(error);
        Assert.Contains("BERTH_UPDATE_GOLDEN=1 is refused because CI variables are set", error.Message, StringComparison.Ordinal);
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("yes")]
    [InlineData("0")]
    public void SwitchWithAnotherValue_FailsTheTest(string value)
    {
        var error = Record.Exception(() => GoldenFiles.UpdateRequested(new Dictionary<string, string> { ["BERTH_UPDATE_GOLDEN"] = value }));

        Assert.NotNull(error);
        Assert.Contains($"BERTH_UPDATE_GOLDEN={value}: set it to 1", error.Message, StringComparison.Ordinal);
    }
}
