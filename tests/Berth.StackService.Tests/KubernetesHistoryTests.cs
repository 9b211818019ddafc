using Berth.Kubernetes.Access;
using Berth.Kubernetes.ApiDouble;

namespace Berth.StackService.Tests;

/// <summary>History and rollback on Kubernetes through the API double, with the requests each step makes.</summary>
public sealed class KubernetesHistoryTests : KubernetesLayerTest
{
    private static string Compose(string image, int replicas) => $$"""
        services:
          web:
            image: {{image}}
            deploy: {replicas: {{replicas}}}
            secrets: [token]
        secrets:
          token:
            file: ./token.txt
        """;

    [Fact]
    public async Task ThreeDeploys_History_RollbackToTheFirst_ThenRemoveTakesTheHistory()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("berth-history-project-").FullName;
        File.WriteAllText(Path.Combine(dir, "token.txt"), "s3cr3t-value");
        var first = await Deploy(dir, Compose("nginx:1.25", 1), ct);
        await Deploy(dir, Compose("nginx:1.26", 2), ct);
        await Deploy(dir, Compose("nginx:1.27", 3), ct);
        Assert.Equal(1, first.Revision);

        // A history read is one list request.
        var before = Double.Requests.Count;
        var history = await Service.HistoryAsync("demo", ct);
        Assert.Equal(1, Double.Requests.Count - before);
        Assert.Equal([1, 2, 3], history.Revisions.Select(r => r.Revision));
        Assert.All(history.Revisions, r => Assert.Equal(Environment.UserName, r.DeployedBy));
        Assert.All(history.Revisions, r => Assert.Null(r.Note));

        // The stored record never holds the secret's value.
        var stored = Double.Requests.First(r => r.Method == "POST" && r.Body is { } b && b.Contains("berth.io/stack-revision", StringComparison.Ordinal)).Body!;
        using (var secret = System.Text.Json.JsonDocument.Parse(stored))
        {
            var record = Gunzip(secret.RootElement.GetProperty("data").GetProperty("revision").GetBytesFromBase64());
            Assert.DoesNotContain("s3cr3t-value", record, StringComparison.Ordinal);
            Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("s3cr3t-value"u8)), record, StringComparison.Ordinal);
            Assert.Contains("\"formatVersion\":1", record, StringComparison.Ordinal);
        }

        var target = await Service.PrepareRollbackAsync("demo", 1, ct);
        var plan = await Service.PlanAsync(target.Request, new RecordingSink(), ct);
        Assert.Contains(plan.Changes, c => c.Action == "update" && c.Kind == "Deployment" && c.Name == "web");
        var writes = Double.Writes;
        var rolledBack = await Service.DeployAsync(target.Request with { Detach = true }, new RecordingSink(), ct);
        Assert.Equal(4, rolledBack.Revision);
        Assert.Equal(rolledBack.Writes + 1, Double.Writes - writes);
        var deployment = Double.Requests.Last(r => r.Method == "PATCH" && r.Name == "web" && r.Path.Contains("deployments", StringComparison.Ordinal)).Body!;
        Assert.Contains("nginx:1.25", deployment, StringComparison.Ordinal);
        var after = await Service.HistoryAsync("demo", ct);
        Assert.Equal("rollback to 1", after.Revisions[^1].Note);

        // ls counts services only; rm removes the history too.
        var listed = Assert.Single(await Service.ListAsync(new StackListOptions(), ct));
        Assert.Equal(1, listed.Services);
        await Service.RemoveAsync("demo", new StackRemoveOptions(), new RecordingSink(), ct);
        var gone = await Service.HistoryAsync("demo", ct);
        Assert.Empty(gone.Revisions);
        Assert.False(gone.StackExists);
    }

    [Fact]
    public async Task HistoryMax_PrunesTheOldest_AndASecretChangedSinceBlocksTheRollbackBeforeAnyWrite()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateTempSubdirectory("berth-history-project-").FullName;
        File.WriteAllText(Path.Combine(dir, "token.txt"), "one");
        await Deploy(dir, Compose("nginx:1.25", 1), ct, historyMax: 2);
        await Deploy(dir, Compose("nginx:1.26", 1), ct, historyMax: 2);
        File.WriteAllText(Path.Combine(dir, "token.txt"), "two");
        await Deploy(dir, Compose("nginx:1.27", 1), ct, historyMax: 2);
        var history = await Service.HistoryAsync("demo", ct);
        Assert.Equal([2, 3], history.Revisions.Select(r => r.Revision));

        var writes = Double.Writes;
        var error = await Assert.ThrowsAsync<StackHistoryException>(() => Service.PrepareRollbackAsync("demo", 2, ct));
        Assert.StartsWith("secret token: the content of ", error.Message, StringComparison.Ordinal);
        Assert.Contains("token.txt has changed since revision 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(writes, Double.Writes);
        var unknown = await Assert.ThrowsAsync<StackHistoryException>(() => Service.PrepareRollbackAsync("demo", 1, ct));
        Assert.Equal("stack demo has no revision 1", unknown.Message);
    }

    internal static string Gunzip(byte[] data)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    private async Task<StackDeployResult> Deploy(string dir, string yaml, CancellationToken ct, int historyMax = 10)
    {
        File.WriteAllText(Path.Combine(dir, "compose.yaml"), yaml);
        var load = Berth.Compose.Loading.ProjectLoader.Load(new Berth.Compose.Loading.LoadOptions { Files = [Path.Combine(dir, "compose.yaml")], ProjectName = "demo" }, ct);
        Assert.True(load.Succeeded, string.Join('\n', load.Diagnostics));
        var result = await Service.DeployAsync(new StackDeployRequest("demo", load.Project!) { Detach = true, HistoryMax = historyMax }, new RecordingSink(), ct);
        Assert.True(result.Converged);
        Assert.NotNull(result.Revision);
        return result;
    }
}
