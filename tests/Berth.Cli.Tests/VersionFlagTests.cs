using System.Reflection;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth --version</c> prints the version (the dotnet tool's install check runs it) instead of the root help that
/// a bare command group shows. Run as a process: in-process the entry assembly would be the test host's.
/// </summary>
public sealed class VersionFlagTests
{
    [Fact]
    public void Version_PrintsTheVersion_NotTheHelp()
    {
        var expected = typeof(BerthCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var result = ToolProcess.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "berth.dll"), "--version"], timeout: TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(expected + "\n", result.Stdout);
    }

    [Fact]
    public void BareBerth_StillShowsTheHelp()
    {
        var (code, stdout, _) = CliRunner.Run();

        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }
}
