using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// An unknown flag is a usage error (exit 2) before any action runs: it is never taken as a stack name or a file.
/// The engine address points at a closed loopback port, so a verb that got as far as connecting would print an
/// engine error (exit 3) instead of the usage error.
/// </summary>
public sealed class UnknownOptionTests
{
    private static readonly Dictionary<string, string> s_closedEngine = new() { ["DOCKER_HOST"] = $"tcp://127.0.0.1:{FreePort.Loopback()}" };

    public static TheoryData<string, string[]> Commands => new()
    {
        { "berth config", ["config", "--dry-run", "-c", "missing.yaml"] },
        { "berth convert", ["convert", "-c", "missing.yaml", "--dry-run"] },
        { "berth stack deploy", ["stack", "deploy", "--dry-run", "-c", "missing.yaml", "nuz"] },
        { "berth stack diff", ["stack", "diff", "--dry-run", "-c", "missing.yaml", "nuz"] },
        { "berth stack ls", ["stack", "ls", "--dry-run"] },
        { "berth stack services", ["stack", "services", "--dry-run", "nuz"] },
        { "berth stack ps", ["stack", "ps", "--dry-run", "nuz"] },
        { "berth stack rm", ["stack", "rm", "--dry-run", "nuz"] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void UnknownFlag_IsAUsageError_BeforeAnythingRuns(string command, string[] args)
    {
        var (code, stdout, stderr) = CliRunner.RunWith(s_closedEngine, args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"berth: unknown flag: --dry-run\nRun '{command} --help' for usage.\n", stderr);
    }

    [Fact]
    public void Rm_WithAMistypedFlag_DoesNotEvenConnect()
    {
        // Before the check, '--dry-run' was a second stack name and rm went on to the engine.
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "rm", "nuz", "--dryrun", "--wait");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("unknown flag: --dryrun", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing found", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Ps_UnknownFlagBeforeTheStack_BlamesTheFlag_NotTheStack()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "ps", "--all", "shop");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("berth: unknown flag: --all\n", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("shop", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownShortFlag_IsAlsoRefused()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "rm", "-x", "nuz");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("berth: unknown flag: -x\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AfterDoubleDash_ADashWordIsAValue_AndMeetsTheStackNameRule()
    {
        var (code, _, stderr) = CliRunner.RunWith(s_closedEngine, "stack", "rm", "--", "--dry-run");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.DoesNotContain("unknown flag", stderr, StringComparison.Ordinal);
        Assert.Contains("invalid stack name '--dry-run'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneDash_IsStandardInput_NotAFlag()
    {
        var (code, stdout, stderr) = CliRunner.RunWithInput("services:\n  web:\n    image: nginx\n", "config", "-c", "-", "--services");

        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Equal("web\n", stdout);
    }

    [Fact]
    public void Convert_UnknownFlag_WritesNoOutputDirectory()
    {
        using var project = new TempProject(("compose.yaml", "services:\n  web:\n    image: nginx\n"));
        var dir = project.PathOf("out");

        var (code, _, _) = CliRunner.Run("convert", "-c", project.PathOf("compose.yaml"), "--output-dir", dir, "--explian");

        Assert.Equal(ExitCodes.Usage, code);
        Assert.False(Directory.Exists(dir));
    }
}
