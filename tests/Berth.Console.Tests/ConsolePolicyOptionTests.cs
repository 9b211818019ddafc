using Berth.Testing;

namespace Berth.Console.Tests;

/// <summary>The berth-console executable's <c>--policy</c> and <c>--policy-mode</c>: a policy that cannot be read, or a mode without one, stops the start with a usage error.</summary>
public sealed class ConsolePolicyOptionTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("berth-console-policy-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static ToolResult BerthConsole(params string[] args) =>
        ToolProcess.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "berth-console.dll"), .. args], timeout: TimeSpan.FromSeconds(60));

    [Fact]
    public void AnUnreadablePolicy_StopsTheStart_WithItsLine()
    {
        var file = Path.Combine(_data, "policy.yaml");
        File.WriteAllText(file, "version: 1\nrules: {allowPrivileged: maybe}\n");

        var result = BerthConsole("--data-dir", _data, "--urls", "http://127.0.0.1:0", "--policy", file);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"berth-console: {file}:2:26: error BP103:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"berth-console: --policy {file}: the policy cannot be read", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_data, "console.db")));
    }

    [Fact]
    public void AModeWithoutAPolicy_OrAnUnknownProfile_IsAUsageError()
    {
        var mode = BerthConsole("--data-dir", _data, "--urls", "http://127.0.0.1:0", "--policy-mode", "warn");
        Assert.True(mode.ExitCode == 2, mode.ToString());
        Assert.Contains("berth-console: --policy-mode has no policy to apply", mode.Stderr, StringComparison.Ordinal);

        var unknown = BerthConsole("--data-dir", _data, "--urls", "http://127.0.0.1:0", "--policy", "strict");
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("error BP106: 'strict' is neither a built-in profile nor an existing file", unknown.Stderr, StringComparison.Ordinal);

        var badMode = BerthConsole("--data-dir", _data, "--policy", "restricted", "--policy-mode", "loud");
        Assert.Equal(2, badMode.ExitCode);
    }
}
