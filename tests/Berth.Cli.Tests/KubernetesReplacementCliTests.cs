using System.Text.Json;

namespace Berth.Cli.Tests;

/// <summary>
/// <c>berth stack diff|deploy</c> under Kubernetes when a change cannot be applied in place (issue 15), through the
/// shipped command tree and the real KubernetesClient against the API test double, which answers 422 where a real
/// API server does: a StatefulSet's claim template, a Service switching between headless and ClusterIP, a workload
/// changing kind.
/// </summary>
public sealed class KubernetesReplacementCliTests() : KubernetesStackCliTest(
    ("db-1.yaml", Database("1Gi")), ("db-5.yaml", Database("5Gi")),
    ("worker-ports.yaml", Worker(ports: true)), ("worker-headless.yaml", Worker(ports: false)),
    ("shared.yaml", Shared(withWorker: true)), ("alone.yaml", Shared(withWorker: false)))
{
    private static string Database(string size) => $$"""
        services:
          db:
            image: postgres:16
            volumes: ["data:/var/lib/postgresql/data"]
        volumes:
          data:
            x-kubernetes: {size: {{size}}}
        """;

    private static string Worker(bool ports) => "services:\n  worker:\n    image: busybox:1.36\n    command: [\"sleep\", \"3600\"]\n" + (ports ? "    expose: [\"9000\"]\n" : string.Empty);

    private static string Shared(bool withWorker) => "services:\n  api:\n    image: example/api:1\n    volumes: [\"shared:/data\"]\n"
        + (withWorker ? "  worker:\n    image: example/worker:1\n    volumes: [\"shared:/work\"]\n" : string.Empty) + "volumes:\n  shared:\n";

    private (int ExitCode, string Stdout, string Stderr) Deploy(string file, params string[] extra)
        => Berth(["deploy", "demo", "-c", Project.PathOf(file), "--detach", .. extra]);

    private (int ExitCode, string Stdout, string Stderr) Diff(string file, params string[] extra)
        => Berth(["diff", "demo", "-c", Project.PathOf(file), .. extra]);

    [Fact]
    public void StatefulSetClaimSizeChange_DiffShowsARefusedReplacement_DeployExits1WithNothingWritten_RecreateAppliesIt()
    {
        var (first, _, firstErr) = Deploy("db-1.yaml");
        Assert.True(first == ExitCodes.Success, firstErr);
        var writes = Double.Writes;

        var (diff, diffOut, diffErr) = Diff("db-5.yaml");
        var (json, jsonOut, _) = Diff("db-5.yaml", "--format", "json");
        var (code, stdout, stderr) = Deploy("db-5.yaml");

        Assert.True(diff == ExitCodes.Success, diffErr);
        Assert.Contains("-/+ replace StatefulSet db (spec.volumeClaimTemplates[0].spec.resources.requests.storage cannot change once set: deleted and created again)", diffOut, StringComparison.Ordinal);
        Assert.Contains("    refused: StatefulSet db:", diffOut, StringComparison.Ordinal);
        Assert.Contains("1 refused replacement (a deploy would change nothing)", diffOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, json);
        using (var rows = JsonDocument.Parse(jsonOut))
        {
            var row = Assert.Single(rows.RootElement.EnumerateArray(), r => r.GetProperty("action").GetString() == "replace");
            Assert.Contains("data-db-0", row.GetProperty("refused").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.DoesNotContain("Updating StatefulSet db", stdout, StringComparison.Ordinal);
        Assert.Contains("StatefulSet db: spec.volumeClaimTemplates[0].spec.resources.requests.storage cannot change on an existing StatefulSet", stderr, StringComparison.Ordinal);
        Assert.Contains("its pods' claims data-db-0 hold data", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: a claim template only shapes new claims: grow each existing claim (data-db-0) with kubectl patch pvc data-db-0", stderr, StringComparison.Ordinal);
        Assert.Contains("--recreate", stderr, StringComparison.Ordinal);
        Assert.Contains("berth stack deploy: 1 change would need a replacement that loses or detaches data; nothing was changed", stderr, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);

        var (recreate, recreateOut, recreateErr) = Deploy("db-5.yaml", "--recreate");

        Assert.True(recreate == ExitCodes.Success, recreateErr);
        Assert.Contains("Replacing StatefulSet db: spec.volumeClaimTemplates[0].spec.resources.requests.storage cannot change once set (deleted and created again)", recreateOut, StringComparison.Ordinal);
        Assert.Contains(Double.Requests, r => r.Verb == "delete" && r.Resource == "statefulsets.apps" && r.Query.Contains("propagationPolicy=Orphan", StringComparison.Ordinal));
        Assert.Equal("5Gi", (string?)Double.Get("statefulsets.apps", "shop", "db")!["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]);
    }

    [Theory]
    [InlineData("worker-ports.yaml", "worker-headless.yaml")]
    [InlineData("worker-headless.yaml", "worker-ports.yaml")]
    public void HeadlessClusterIpSwitch_IsShownAndMadeAsAReplacement(string before, string after)
    {
        Assert.Equal(ExitCodes.Success, Deploy(before).ExitCode);

        var (_, diffOut, _) = Diff(after);
        var (code, stdout, stderr) = Deploy(after);

        Assert.Contains("-/+ replace Service worker (spec.clusterIP", diffOut, StringComparison.Ordinal);
        Assert.Contains("1 to replace (deleted and created again)", diffOut, StringComparison.Ordinal);
        Assert.True(code == ExitCodes.Success, stderr);
        Assert.Contains("Replacing Service worker: spec.clusterIP", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Updating Service worker", stdout, StringComparison.Ordinal);
        Assert.All(Double.Requests.Where(r => r.IsWrite), r => Assert.True(r.StatusCode < 300, $"{r.Verb} {r.Resource} answered {r.StatusCode}"));
        Assert.Equal(after == "worker-headless.yaml", (string?)Double.Get("services", "shop", "worker")!["spec"]!["clusterIP"] == "None");
    }

    [Fact]
    public void KindChangeDetachingAClaim_Exits1WithNothingWritten_NamingBothClaims()
    {
        Assert.Equal(ExitCodes.Success, Deploy("shared.yaml").ExitCode);
        var writes = Double.Writes;

        var (diff, diffOut, _) = Diff("alone.yaml");
        var (code, _, stderr) = Deploy("alone.yaml");

        Assert.Equal(ExitCodes.Success, diff);
        Assert.Contains("-/+ replace StatefulSet api (replaces Deployment api: the workload changes kind)", diffOut, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("StatefulSet api would replace Deployment api: the data in claim demo-shared would be left behind, detached (the new StatefulSet would use claim shared-api-0)", stderr, StringComparison.Ordinal);
        Assert.Contains("hint: Kubernetes cannot rename a claim", stderr, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);
        Assert.NotNull(Double.Get("deployments.apps", "shop", "api"));
    }
}
