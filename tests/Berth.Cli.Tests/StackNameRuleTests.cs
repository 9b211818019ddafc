using Berth.Stacks;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>One stack-name rule (<see cref="StackName.Rule"/>), stated in the error, checked by every verb before anything else.</summary>
public sealed class StackNameRuleTests
{
    private const string RuleText = "a stack name is 1 to 63 lower-case letters, digits, '-' and '_', starting and ending with a letter or digit";
    private const string ExistingRuleText = "an existing stack's name is 1 to 63 letters, digits, '-' and '_', starting and ending with a letter or digit";
    private static readonly Dictionary<string, string> s_closedEngine = new() { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{FreePort.Loopback()}" };

    public static TheoryData<string> Verbs => ["deploy", "diff", "services", "ps", "rm"];

    [Theory]
    [InlineData("shop")]
    [InlineData("shop_2-a")]
    [InlineData("9lives")]
    public void Valid(string name) => Assert.True(StackName.IsValid(name));

    [Theory]
    [InlineData("Nu.Bad")]
    [InlineData("nu bad")]
    [InlineData("nu.bad")]
    [InlineData("Shop")]
    [InlineData("-shop")]
    [InlineData("shop-")]
    [InlineData("_shop")]
    [InlineData("")]
    public void Invalid(string name) => Assert.False(StackName.IsValid(name));

    [Fact]
    public void LongerThan63_IsInvalid()
    {
        Assert.True(StackName.IsValid(new string('a', 63)));
        Assert.False(StackName.IsValid(new string('a', 64)));
    }

    [Theory]
    [MemberData(nameof(Verbs))]
    public void EveryVerb_RefusesAnInvalidName_WithTheRule(string verb)
    {
        foreach (var name in new[] { "Nu.Bad", "nu bad" })
        {
            // -c is only for deploy and diff; the file does not exist, so getting past the name check would be exit 1.
            string[] args = verb is "deploy" or "diff" ? ["stack", verb, "-c", "/nonexistent/compose.yaml", name] : ["stack", verb, name];
            var (code, stdout, stderr) = CliRunner.RunWith(s_closedEngine, args);

            Assert.Equal(ExitCodes.Usage, code);
            Assert.Equal(string.Empty, stdout);
            var rule = verb is "deploy" or "diff" ? RuleText : ExistingRuleText;
            Assert.Equal($"berth stack {verb}: invalid stack name '{name}': {rule}\n", stderr);
        }
    }

    [Theory]
    [InlineData("services")]
    [InlineData("ps")]
    [InlineData("rm")]
    public void ReadAndRemoveVerbs_AcceptUpperCase_AsDockerMadeStacksHaveIt(string verb)
    {
        // docker stack deploy creates 'MyApp' (checked against the real engine): Berth must still reach it.
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", verb, "MyApp");

        Assert.Equal(ExitCodes.OrchestratorError, code);
        Assert.DoesNotContain("invalid stack name", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Deploy_RefusesUpperCase()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "deploy", "-c", "/nonexistent/compose.yaml", "MyApp");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(RuleText, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ConvertStackFlag_FollowsTheSameRule()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));

        var (code, stdout, stderr) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--stack", "Bad Name");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"berth convert: --stack: invalid stack name 'Bad Name': {RuleText}\n", stderr);
    }

    [Fact]
    public void Deploy_ValidName_GetsPastTheCheck()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "deploy", "-c", "/nonexistent/compose.yaml", "shop_2");

        Assert.True(code == ExitCodes.InvalidInput, stderr);
        Assert.DoesNotContain("invalid stack name", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("project name", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("deploy", "-p")]
    [InlineData("diff", "--project-name")]
    public void ProjectNameFlag_IsRefusedByDeployAndDiff(string verb, string flag)
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));

        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", verb, "-c", project.PathOf("compose.yaml"), flag, "other", "shop");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains($"berth stack {verb}: {flag} is not accepted here: the stack name is the project name", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: drop it", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void DeployHelp_DoesNotOfferProjectName()
    {
        var (_, stdout, _) = CliRunner.Run("stack", "deploy", "--help");

        Assert.DoesNotContain("--project-name", stdout, StringComparison.Ordinal);
        Assert.Contains("--compose-file", stdout, StringComparison.Ordinal);
    }
}
