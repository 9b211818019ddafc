using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Testing;

namespace Berth.Compose.Tests.Support;

/// <summary>
/// The test servers' start-up (<see cref="ServerProcess"/>), with /bin/sh playing the server: a server that exits or
/// never answers fails with what it printed, and stopping takes its child processes down with it.
/// </summary>
public sealed partial class ServerProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AServerThatExitsWhileStarting_FailsWithItsExitCodeAndOutput()
    {
        await using var server = Shell("echo 'cannot open data folder' >&2; exit 3");

        var failure = await Assert.ThrowsAsync<ServerExitedException>(() => server.StartAsync(_ => Task.FromResult(false), Ct));

        Assert.StartsWith("sh-server exited with 3 while starting:", failure.Message, StringComparison.Ordinal);
        Assert.Contains("cannot open data folder", failure.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatNeverAnswers_FailsAtTheDeadlineWithItsOutputAndTheLastProbeError()
    {
        await using var server = Shell("echo 'still warming up'; exec sleep 600");

        var failure = await Assert.ThrowsAsync<TimeoutException>(
            () => server.StartAsync(_ => throw new HttpRequestException("connection refused"), Ct, timeout: TimeSpan.FromSeconds(1)));

        Assert.Contains("sh-server was not ready after 1 s (last probe: HttpRequestException: connection refused)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("still warming up", failure.Message, StringComparison.Ordinal);
        Assert.NotNull(server.ProcessId);
    }

    [Fact]
    public async Task Stop_KillsTheServersChildrenToo()
    {
        await using var server = Shell("sleep 600 & echo \"child $!\"; wait");
        await server.StartAsync(_ => Task.FromResult(server.Log.Contains("child ")), Ct);
        var child = int.Parse(ChildLine().Match(server.Log.ToString()).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Running(child), "the child should run while the server does");

        await server.StopAsync(Ct);

        Assert.Null(server.ProcessId);
        await Poll.UntilAsync(() => !Running(child), "the server's child to be gone", Ct);
    }

    [Fact]
    public async Task StartOnFreePort_BuildsTheServerAgain_WhenItLostItsPort_AndOnlyThen()
    {
        var built = 0;
        await using var server = await ServerProcess.StartOnFreePortAsync(
            () => ++built == 1 ? Shell("echo 'bind: address already in use'; exit 1") : Shell("echo listening; exec sleep 600"),
            (s, ct) => s.StartAsync(_ => Task.FromResult(s.Log.Contains("listening")), ct),
            "address already in use",
            Ct);

        Assert.Equal(2, built);
        Assert.NotNull(server.ProcessId);

        var other = 0;
        await Assert.ThrowsAsync<ServerExitedException>(() => ServerProcess.StartOnFreePortAsync(
            () =>
            {
                other++;
                return Shell("echo 'permission denied'; exit 1");
            },
            (s, ct) => s.StartAsync(_ => Task.FromResult(false), ct),
            "address already in use",
            Ct));
        Assert.Equal(1, other);
    }

    private static ServerProcess Shell(string script)
    {
        var start = new ProcessStartInfo("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        return new ServerProcess("sh-server", start);
    }

    private static bool Running(int processId)
    {
        // A killed child stays a zombie until its parent reaps it; /proc/PID/stat says Z then.
        var stat = $"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/stat";
        try
        {
            var fields = File.ReadAllText(stat);
            return fields[(fields.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"child (\d+)")]
    private static partial Regex ChildLine();
}
