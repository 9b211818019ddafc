using System.Diagnostics;
using System.Reflection;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth --version</c> prints the version (the dotnet tool's install check runs it) instead of the root help that
/// a bare command group shows. Run as a process: in-process the entry assembly would be the test host's.
/// </summary>
public sealed class VersionFlagTests
{
    [Fact]
    public async Task Version_PrintsTheVersion_NotTheHelp()
    {
        var expected = typeof(BerthCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "berth.dll"));
        start.ArgumentList.Add("--version");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromMinutes(1));
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = await process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);

        Assert.True(process.ExitCode == 0, stderr);
        Assert.Equal(expected + "\n", await stdout);
    }

    [Fact]
    public void BareBerth_StillShowsTheHelp()
    {
        var (code, stdout, _) = CliRunner.Run();

        Assert.Equal(0, code);
        Assert.Contains("Usage:", stdout, StringComparison.Ordinal);
    }
}
