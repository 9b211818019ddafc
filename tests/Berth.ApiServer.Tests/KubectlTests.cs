using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.ApiServer.Tests;

/// <summary>
/// The real kubectl against berth-apiserver (standalone, token file, AlwaysAllow) on a real etcd: what a user types.
/// Namespace default: after a 404 in another namespace kubectl asks /api/v1/namespaces/&lt;ns&gt;, which only a
/// kube-apiserver in front answers.
/// </summary>
public sealed class KubectlTests(StackServerFixture fixture) : IClassFixture<StackServerFixture>
{
    private static string Manifest(string name, string image = "nginx:1.27") => StackManifests.Yaml(name, image, service: StackManifests.SecretAndPort);

    private Kubectl Alice => new(fixture.Server, RunningServer.AliceToken);

    private static void Ok(ToolResult result) => Assert.True(result.ExitCode == 0, result.ToString());

    [Fact]
    public async Task CreateFile_GetTable_YamlInEachVersion()
    {
        var kubectl = Alice;
        var file = fixture.Server.Folder.Write("k-table.yaml", Manifest("k-table"));
        var created = await kubectl.RunAsync("create", "-f", file);
        Ok(created);
        Assert.Contains("stack.compose.docker.com/k-table created", created.Stdout, StringComparison.Ordinal);

        var table = await kubectl.RunAsync("get", "stacks");
        Ok(table);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +SERVICES +PORTS +STATUS +AGE$", lines[0]);
        Assert.Matches("^k-table +1 +8080:80/tcp +\\S+ +\\d+s$", lines.Single(l => l.StartsWith("k-table ", StringComparison.Ordinal)));
        var wide = await kubectl.RunAsync("get", "stacks", "-o", "wide", "-A");
        Ok(wide);
        Assert.Contains("NAMESPACE", wide.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-value", wide.Stdout, StringComparison.Ordinal);

        foreach (var version in new[] { "v1alpha3", "v1beta2", "v1beta1" })
        {
            var yaml = await kubectl.RunAsync("get", $"stacks.{version}.compose.docker.com", "k-table", "-o", "yaml");
            Ok(yaml);
            Assert.Contains($"apiVersion: compose.docker.com/{version}", yaml.Stdout, StringComparison.Ordinal);
            Assert.Contains("nginx:1.27", yaml.Stdout, StringComparison.Ordinal);
        }

        var beta1 = await kubectl.RunAsync("get", "stacks.v1beta1.compose.docker.com", "k-table", "-o", "jsonpath={.spec.composeFile}");
        Ok(beta1);
        Assert.Contains("front", beta1.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apply_ClientSideThenServerSide()
    {
        var kubectl = Alice;
        var file = fixture.Server.Folder.Write("k-apply.yaml", Manifest("k-apply"));
        var first = await kubectl.RunAsync("apply", "-f", file);
        Ok(first);
        Assert.Contains("stack.compose.docker.com/k-apply created", first.Stdout, StringComparison.Ordinal);
        fixture.Server.Folder.Write("k-apply.yaml", Manifest("k-apply", "nginx:1.28"));
        var second = await kubectl.RunAsync("apply", "-f", file);
        Ok(second);
        Assert.Contains("stack.compose.docker.com/k-apply configured", second.Stdout, StringComparison.Ordinal);
        var image = await kubectl.RunAsync("get", "stack", "k-apply", "-o", "jsonpath={.spec.services[0].image}");
        Assert.Equal("nginx:1.28", image.Stdout.Trim());

        var ssaFile = fixture.Server.Folder.Write("k-ssa.yaml", Manifest("k-ssa"));
        var ssa = await kubectl.RunAsync("apply", "--server-side", "-f", ssaFile);
        Ok(ssa);
        Assert.Contains("stack.compose.docker.com/k-ssa serverside-applied", ssa.Stdout, StringComparison.Ordinal);
        fixture.Server.Folder.Write("k-ssa.yaml", Manifest("k-ssa", "nginx:1.29"));
        Ok(await kubectl.RunAsync("apply", "--server-side", "-f", ssaFile));
        Assert.Equal("nginx:1.29", (await kubectl.RunAsync("get", "stack", "k-ssa", "-o", "jsonpath={.spec.services[0].image}")).Stdout.Trim());
    }

    [Fact]
    public async Task StrictValidation_RefusesUnknownFields_InvalidServiceNameIs422()
    {
        var kubectl = Alice;
        var unknown = await kubectl.RunWithInputAsync(Manifest("k-strict").Replace("  services:", "  x: 1\n  services:", StringComparison.Ordinal), "create", "-f", "-");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.x\"", unknown.Stderr, StringComparison.Ordinal);
        var invalid = await kubectl.RunWithInputAsync(Manifest("k-invalid").Replace("name: front", "name: Front_1", StringComparison.Ordinal), "create", "-f", "-");
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("spec.services[0].name: Invalid value: \"Front_1\"", invalid.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, (await kubectl.RunAsync("get", "stack", "k-invalid")).ExitCode);
    }

    [Fact]
    public async Task ReplaceWithStaleResourceVersion_Is409()
    {
        var kubectl = Alice;
        Ok(await kubectl.RunWithInputAsync(Manifest("k-stale"), "create", "-f", "-"));
        var read = await kubectl.RunAsync("get", "stack", "k-stale", "-o", "json");
        Ok(read);
        var stale = fixture.Server.Folder.Write("k-stale.json", read.Stdout);
        Ok(await kubectl.RunAsync("label", "stack", "k-stale", "touched=yes"));
        var replaced = await kubectl.RunAsync("replace", "-f", stale);
        Assert.NotEqual(0, replaced.ExitCode);
        Assert.Contains("Error from server (Conflict)", replaced.Stderr, StringComparison.Ordinal);
        Assert.Contains("Operation cannot be fulfilled on stacks.compose.docker.com \"k-stale\": the object has been modified; please apply your changes to the latest version and try again", replaced.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetWatch_SeesCreateAndDelete()
    {
        var ct = TestContext.Current.CancellationToken;
        var kubectl = Alice;
        static List<string> Rows(RunningKubectl watch) => [.. watch.Stdout.Split('\n').Where(l => l.StartsWith("k-watched ", StringComparison.Ordinal))];

        // -v=6 logs each request once its response headers arrive; the server sends a watch's headers only once the
        // store's watch is established. Changes made after that line cannot be missed, however late the watch started.
        // The request timeout is only a backstop: the watch is stopped as soon as both rows are printed.
        using var watch = kubectl.Start("get", "stacks", "-w", "--request-timeout=60s", "-v=6");
        Assert.True(await watch.WaitUntilAsync(w => w.Stderr.Split('\n').Any(l => l.Contains("watch=true", StringComparison.Ordinal) && l.Contains("200 OK", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), ct), "the watch was not established:\n" + watch);
        Ok(await kubectl.RunWithInputAsync(Manifest("k-watched"), "create", "-f", "-"));
        Ok(await kubectl.RunAsync("delete", "stack", "k-watched"));
        Assert.True(await watch.WaitUntilAsync(w => Rows(w).Count >= 2, TimeSpan.FromSeconds(30), ct), "the watch did not print the create and the delete:\n" + watch);
        await watch.StopAsync();
    }

    [Fact]
    public async Task Delete_RemovesTheStack()
    {
        var kubectl = Alice;
        Ok(await kubectl.RunWithInputAsync(Manifest("k-del"), "create", "-f", "-"));
        var deleted = await kubectl.RunAsync("delete", "stack", "k-del");
        Ok(deleted);
        Assert.Contains("stack.compose.docker.com \"k-del\" deleted", deleted.Stdout, StringComparison.Ordinal);
        var get = await kubectl.RunAsync("get", "stack", "k-del");
        Assert.True(get.Stderr.Contains("stacks.compose.docker.com \"k-del\" not found", StringComparison.Ordinal), get.ToString());
    }

    [Fact]
    public async Task Explain_StacksSpecServices()
    {
        var result = await Alice.RunAsync("explain", "stacks.spec.services");
        Ok(result);
        Assert.Contains("KIND:       Stack", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("FIELD: services <[]Object>", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("image", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRaw_Subresources()
    {
        var kubectl = Alice;
        Ok(await kubectl.RunWithInputAsync(Manifest("k-raw"), "create", "-f", "-"));
        const string path = "/apis/compose.docker.com/v1alpha3/namespaces/default/stacks/k-raw/";
        var owner = JsonNode.Parse((await kubectl.RunAsync("get", "--raw", path + "owner")).Stdout)!;
        Assert.Equal("alice", owner["owner"]!["UserName"]!.ToString());
        var scale = JsonNode.Parse((await kubectl.RunAsync("get", "--raw", path + "scale")).Stdout)!;
        Assert.Equal(1, scale["spec"]!["front"]!.GetValue<int>());
        var status = JsonNode.Parse((await kubectl.RunAsync("get", "--raw", path + "status")).Stdout)!;
        Assert.Equal("k-raw", status["metadata"]!["name"]!.ToString());
        var compose = await kubectl.RunAsync("get", "--raw", path + "composeFile");
        Ok(compose);
        Assert.Contains("nginx:1.27", compose.Stdout, StringComparison.Ordinal);
        var log = await kubectl.RunAsync("get", "--raw", path + "log");
        Assert.NotEqual(0, log.ExitCode);
        Assert.Contains("ServiceUnavailable", log.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownToken_Is401()
    {
        // A kubeconfig without credentials makes kubectl prompt for a password; the anonymous 401 itself is
        // ServerSurfaceTests.Anonymous_Is401Status.
        var stranger = new Kubectl(fixture.Server, "no-such-token", "stranger-kubeconfig");
        var result = await stranger.RunAsync("get", "stacks.v1alpha3.compose.docker.com");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("You must be logged in to the server", result.Stderr, StringComparison.Ordinal);
    }
}
