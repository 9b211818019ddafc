using Berth.Kubernetes.ApiDouble;
using Berth.Testing;

namespace Berth.Cli.Tests;

/// <summary><c>berth stack history</c> and <c>rollback</c> under Kubernetes, through the command tree against the API double.</summary>
public sealed class KubernetesStackHistoryCliTests() : KubernetesStackCliTest(("compose.yaml", Compose), ("changed.yaml", Compose.Replace("GREETING: hello", "GREETING: changed", StringComparison.Ordinal)))
{
    private const string Compose = """
        services:
          web:
            image: nginx:1.27
            environment: {GREETING: hello}
        """;

    [Fact]
    public void History_ThenRollback_ShowsTheDiffAndRecordsANewRevision_AndNoHistoryIsExit1()
    {
        Assert.Equal(ExitCodes.Success, Berth("deploy", "demo", "-c", Project.PathOf("compose.yaml"), "--detach").ExitCode);
        Assert.Equal(ExitCodes.Success, Berth("deploy", "demo", "-c", Project.PathOf("changed.yaml"), "--detach").ExitCode);

        var reads = Double.Requests.Count;
        var (code, stdout, stderr) = Berth("history", "demo");
        Assert.True(code == ExitCodes.Success, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^REVISION\s+DEPLOYED\s+BY\s+BERTH\s+SOURCE/NOTE$", lines[0]);
        Assert.Matches(@"^2\s+\S+\s+\S+\s+\S+\s+changed\.yaml@[0-9a-f]{12}$", lines[2]);
        Assert.Equal(3, lines.Length);
        Assert.Equal(1, Double.Requests.Skip(reads).Count(r => r.Method == "GET" && r.Path.Contains("/secrets", StringComparison.Ordinal)));

        var rollback = Berth("rollback", "demo", "--detach");
        Assert.True(rollback.ExitCode == ExitCodes.Success, rollback.Stderr);
        Assert.Contains("Rolling back stack demo to revision 1:", rollback.Stdout, StringComparison.Ordinal);
        Assert.Contains("~ update Deployment web", rollback.Stdout, StringComparison.Ordinal);
        Assert.Contains("Stack demo rolled back to revision 1 (recorded as revision 3)", rollback.Stdout, StringComparison.Ordinal);
        Assert.Equal("hello", Double.Get("deployments.apps", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray().First(e => e!["name"]!.GetValue<string>() == "GREETING")!["value"]!.GetValue<string>());
        Assert.Contains("\"revision\":3,", Berth("history", "demo", "--format", "json").Stdout, StringComparison.Ordinal);
        Assert.Contains("\"note\":\"rollback to 1\"", Berth("history", "demo", "--format", "json").Stdout, StringComparison.Ordinal);

        var none = Berth("history", "nosuch");
        Assert.Equal(ExitCodes.InvalidInput, none.ExitCode);
        Assert.Equal("berth stack history: stack nosuch not found", none.Stderr.Trim());
        var noRollback = Berth("rollback", "nosuch");
        Assert.Equal(ExitCodes.InvalidInput, noRollback.ExitCode);
        Assert.Equal("berth stack rollback: stack nosuch not found", noRollback.Stderr.Trim());
    }
}
