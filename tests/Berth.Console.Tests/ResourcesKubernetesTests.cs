using System.Net;
using System.Text;
using Berth.Kubernetes.ApiDouble;

namespace Berth.Console.Tests;

/// <summary>
/// The Kubernetes side of the shared resources page against the Kubernetes API test double
/// (tests/Berth.Kubernetes.ApiDouble: an in-process stand-in for the API server, not a cluster), with the Swarm side on
/// the real engine: a seeded Node (named as the local Swarm node), PersistentVolumeClaim, Secret with data and
/// ConfigMap are listed; the Secret's data is in no page; an account limited to a namespace sees only that namespace's
/// objects; an admin's assignment is mirrored on the double's Node as a merge patch of its labels.
/// </summary>
[Collection(SwarmNodeLabelsCollection.Name)]
public sealed class ResourcesKubernetesTests : IAsyncLifetime
{
    private const string KubernetesLabel = "com.docker.ucp.orchestrator.kubernetes";
    private const string SwarmLabel = "com.docker.ucp.orchestrator.swarm";
    private const string SecretValue = "kubernetes-secret-value-7f3a";

    private readonly LocalSwarmNode _node = new();
    private ResourcesTestBed _bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private KubernetesApiDouble Api => _bed.Api!;

    public async ValueTask InitializeAsync()
    {
        _bed = await ResourcesTestBed.StartAsync(withKubernetes: true, Ct);
        Api.Seed($$$"""
            {"apiVersion":"v1","kind":"Node","metadata":{"name":"{{{_node.Hostname}}}","labels":{"kubernetes.io/hostname":"{{{_node.Hostname}}}","node-role.kubernetes.io/control-plane":""}},
             "status":{"conditions":[{"type":"Ready","status":"True"}],"capacity":{"cpu":"4","memory":"8Gi"},"nodeInfo":{"kubeletVersion":"v1.31.4"},
                       "images":[{"names":["docker.io/library/redis@sha256:0123","docker.io/library/redis:7-alpine"],"sizeBytes":41943040}]}}
            """);
        Api.Seed("""
            {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"shop-data","namespace":"team-a"},
             "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},"storageClassName":"standard"},
             "status":{"phase":"Bound","capacity":{"storage":"1Gi"}}}
            """);
        Api.Seed($$$"""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"shop-db","namespace":"team-a"},"type":"Opaque",
             "data":{"password":"{{{Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretValue))}}}"}}
            """);
        Api.Seed("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"shop-settings","namespace":"team-a"},"data":{"mode":"fast"}}""");
        Api.Seed("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"billing-settings","namespace":"team-b"},"data":{"mode":"slow"}}""");
    }

    public async ValueTask DisposeAsync()
    {
        _node.Dispose();
        await _bed.DisposeAsync();
    }

    [Fact]
    public async Task TheNodesClaimsSecretsAndConfigMaps_AreListed_AndTheSecretDataIsInNoPage()
    {
        using var client = await _bed.SignedInAsync("chief", Ct);

        var html = await client.GetStringAsync("/resources", Ct);

        Assert.Contains("<td data-label=\"Name\">node-1</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td data-label=\"Name\">{_node.Hostname}</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Kubernetes\">control-plane; Ready; v1.31.4</td>", html, StringComparison.Ordinal);
        Assert.Contains(">docker.io/library/redis:7-alpine</td>", html, StringComparison.Ordinal);
        Assert.Contains("40 MiB, on " + _node.Hostname, html, StringComparison.Ordinal);
        Assert.Contains(">shop-data</td>", html, StringComparison.Ordinal);
        Assert.Contains("Bound, 1Gi, class standard", html, StringComparison.Ordinal);
        Assert.Contains(">shop-db</td>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-settings</td>", html, StringComparison.Ordinal);
        Assert.Contains(">billing-settings</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("role=\"status\">Kubernetes:", html, StringComparison.Ordinal);
        AssertNoSecret(html);
        AssertNoSecret(await client.GetStringAsync("/stacks", Ct));
    }

    [Fact]
    public async Task AnAccountLimitedToANamespace_SeesOnlyThatNamespacesObjects()
    {
        using var client = await _bed.SignedInAsync("tess", Ct);

        var html = await client.GetStringAsync("/resources", Ct);

        Assert.Contains(">shop-settings</td>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-db</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("billing-settings", html, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Name\">node-1</td>", html, StringComparison.Ordinal);
        AssertNoSecret(html);
    }

    [Fact]
    public async Task AnAdminsAssignment_IsMirroredOnTheKubernetesNodeOfTheSameName()
    {
        using var client = await _bed.SignedInAsync("chief", Ct);

        using var toKubernetes = await ResourcesTestBed.AssignAsync(client, _node.Hostname, "kubernetes", Ct);
        var afterKubernetes = Labels(Api.Get("nodes", null, _node.Hostname)!);
        using var toMixed = await ResourcesTestBed.AssignAsync(client, _node.Hostname, "mixed", Ct);
        var mirrored = Labels(Api.Get("nodes", null, _node.Hostname)!);
        var swarm = _node.Labels();
        var page = await client.GetStringAsync(toMixed.Headers.Location!.OriginalString, Ct);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (toKubernetes.StatusCode, toMixed.StatusCode));
        Assert.Equal("true", afterKubernetes.GetValueOrDefault(KubernetesLabel));
        Assert.False(afterKubernetes.ContainsKey(SwarmLabel));
        Assert.Equal(("true", "true"), (mirrored.GetValueOrDefault(SwarmLabel), mirrored.GetValueOrDefault(KubernetesLabel)));
        Assert.Equal(_node.Hostname, mirrored.GetValueOrDefault("kubernetes.io/hostname"));
        Assert.Equal(("true", "true"), (swarm.GetValueOrDefault(SwarmLabel), swarm.GetValueOrDefault(KubernetesLabel)));
        Assert.Contains($"Node {_node.Hostname} set to Mixed: Swarm node labelled, Kubernetes node labelled.", page, StringComparison.Ordinal);
        Assert.Null(Labels(Api.Get("nodes", null, "node-1")!).GetValueOrDefault(KubernetesLabel));
        var patch = Api.Requests.Last(r => r.IsWrite);
        Assert.Equal(("PATCH", "application/merge-patch+json"), (patch.Method, patch.ContentType));
    }

    [Fact]
    public async Task ANodeOnlyKubernetesKnows_IsLabelledThere()
    {
        using var client = await _bed.SignedInAsync("chief", Ct);

        using var answer = await ResourcesTestBed.AssignAsync(client, "node-1", "swarm", Ct);
        var page = await client.GetStringAsync(answer.Headers.Location!.OriginalString, Ct);

        Assert.Equal("true", Labels(Api.Get("nodes", null, "node-1")!).GetValueOrDefault(SwarmLabel));
        Assert.Contains("Node node-1 set to Swarm: Kubernetes node labelled.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheClusterRefusesThePatch_TheAssignmentIsReportedAndAuditedAsFailed_SayingWhatWasDone()
    {
        Api.Deny("patch", "nodes");
        using var client = await _bed.SignedInAsync("chief", Ct);

        using var answer = await ResourcesTestBed.AssignAsync(client, _node.Hostname, "kubernetes", Ct);
        var page = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync(answer.Headers.Location!.OriginalString, Ct));

        Assert.Contains($"<p class=\"notice error\" role=\"alert\">Node {_node.Hostname} set to Kubernetes: Swarm node labelled; Kubernetes: ", page, StringComparison.Ordinal);
        Assert.Equal("true", _node.Labels().GetValueOrDefault(KubernetesLabel));
        Assert.Null(Labels(Api.Get("nodes", null, _node.Hostname)!).GetValueOrDefault(KubernetesLabel));
        var entry = (await _bed.Store.ReadAuditAsync(10, Ct)).First(e => e.Action == "node.orchestrator");
        Assert.Equal("failed", entry.Result);
        Assert.Contains("forbidden", entry.Detail, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The double refuses one kind (listing Secrets, 403): that section's Kubernetes side says why in place; the nodes,
    /// claims, ConfigMaps and the whole Swarm side are shown as usual, and no secret data is on the page.
    /// </summary>
    [Fact]
    public async Task WhenTheClusterRefusesToListSecrets_TheSecretsSectionSaysWhy_AndEveryOtherSectionIsShown()
    {
        Api.Deny("list", "secrets");
        using var client = await _bed.SignedInAsync("chief", Ct);

        var raw = await client.GetStringAsync("/resources", Ct);
        var html = System.Net.WebUtility.HtmlDecode(raw);

        Assert.Matches(@"id=""secrets-kubernetes"">\s*<h3>Kubernetes</h3>\s*<p class=""help"">[^<]*</p>\s*<p class=""warning"" role=""status"">Not read: [^<]*forbidden", html);
        Assert.Matches(@"Not read: [^<]*secrets", html);
        Assert.DoesNotContain("<p class=\"warning\" role=\"status\">Kubernetes: ", html, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Kubernetes\">control-plane; Ready; v1.31.4</td>", html, StringComparison.Ordinal);
        Assert.Contains(">docker.io/library/redis:7-alpine</td>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-data</td>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-settings</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">shop-db</td>", html, StringComparison.Ordinal);
        Assert.Contains($"<td data-label=\"Name\">{_node.Hostname}</td>", html, StringComparison.Ordinal);
        // One image row lists all its tags; other test assemblies running at the same time tag this image again
        // (RegistryImages.Push), so it may share its row with them.
        Assert.Matches(@">(?:[^<]*, )?berth-test/busybox:1(?:, [^<]*)?</td>", html);
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(html, "Not read: "));
        AssertNoSecret(raw);
    }

    /// <summary>The double refuses listing Nodes: the nodes and images (read from the nodes) say why; claims, Secrets' names and ConfigMaps are shown.</summary>
    [Fact]
    public async Task WhenTheClusterRefusesToListNodes_TheNodesAndImagesSayWhy_AndTheNamespacedKindsAreShown()
    {
        Api.Deny("list", "nodes");
        using var client = await _bed.SignedInAsync("chief", Ct);

        var raw = await client.GetStringAsync("/resources", Ct);
        var html = System.Net.WebUtility.HtmlDecode(raw);

        Assert.Matches(@"id=""nodes-kubernetes-problem"">Kubernetes nodes not read: [^<]*forbidden", html);
        Assert.Matches(@"id=""images-kubernetes"">\s*<h3>Kubernetes</h3>\s*<p class=""help"">[^<]*</p>\s*<p class=""warning"" role=""status"">Not read: [^<]*forbidden", html);
        Assert.DoesNotContain("v1.31.4", html, StringComparison.Ordinal);
        Assert.Contains(">shop-data</td>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-db</td>", html, StringComparison.Ordinal);
        Assert.Contains(">shop-settings</td>", html, StringComparison.Ordinal);
        // The Swarm side's node is still in the table.
        Assert.Contains($"<td data-label=\"Name\">{_node.Hostname}</td>", html, StringComparison.Ordinal);
        AssertNoSecret(raw);
    }

    private static void AssertNoSecret(string html)
    {
        Assert.DoesNotContain(SecretValue, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretValue)), html, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Labels(System.Text.Json.Nodes.JsonObject node) =>
        node["metadata"]?["labels"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];
}
