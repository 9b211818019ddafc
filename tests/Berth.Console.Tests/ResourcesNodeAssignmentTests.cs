using System.Net;

namespace Berth.Console.Tests;

/// <summary>
/// Assigning the real local Swarm node to an orchestrator through the UCP labels (the console without a kubeconfig):
/// an admin's post sets them and is audited; operators and viewers get 403 and nothing changes; a post without a
/// valid antiforgery token or without a session changes nothing. The node's labels are restored after each test.
/// </summary>
[Collection(SwarmNodeLabelsCollection.Name)]
public sealed class ResourcesNodeAssignmentTests : IAsyncLifetime
{
    private const string KubernetesLabel = "com.docker.ucp.orchestrator.kubernetes";
    private const string SwarmLabel = "com.docker.ucp.orchestrator.swarm";

    private ResourcesTestBed _bed = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _bed = await ResourcesTestBed.StartAsync(withKubernetes: false, Ct);

    public async ValueTask DisposeAsync() => await _bed.DisposeAsync();

    [Fact]
    public async Task AnAdmin_SetsTheNodeToKubernetes_TheSwarmNodeCarriesTheLabel_AndTheChangeIsAudited()
    {
        using var node = new LocalSwarmNode();
        using var client = await _bed.SignedInAsync("chief", Ct);

        using var toMixed = await ResourcesTestBed.AssignAsync(client, node.Hostname, "mixed", Ct);
        var mixed = node.Labels();
        using var answer = await ResourcesTestBed.AssignAsync(client, node.Hostname, "kubernetes", Ct);
        var labels = node.Labels();
        var page = await client.GetStringAsync(answer.Headers.Location!.OriginalString, Ct);

        Assert.Equal((HttpStatusCode.Redirect, HttpStatusCode.Redirect), (toMixed.StatusCode, answer.StatusCode));
        Assert.Equal(("true", "true"), (mixed.GetValueOrDefault(SwarmLabel), mixed.GetValueOrDefault(KubernetesLabel)));
        Assert.Equal("true", labels.GetValueOrDefault(KubernetesLabel));
        Assert.False(labels.ContainsKey(SwarmLabel), "the swarm label is removed when the node serves Kubernetes only");
        Assert.Contains($"Node {node.Hostname} set to Kubernetes: Swarm node labelled.", page, StringComparison.Ordinal);
        Assert.Contains("<td data-label=\"Serves\" class=\"serves\">Kubernetes</td>", page, StringComparison.Ordinal);
        var entry = (await _bed.Store.ReadAuditAsync(10, Ct)).First(e => e.Action == "node.orchestrator");
        Assert.Equal(("chief", $"/resources/nodes/{node.Hostname}", "ok"), (entry.Actor, entry.Target, entry.Result));
        Assert.Contains("set to Kubernetes", entry.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("olga")]
    [InlineData("victor")]
    public async Task AnOperatorOrViewer_Gets403_AndTheNodeIsUnchanged(string account)
    {
        using var node = new LocalSwarmNode();
        var before = node.Labels();
        using var client = await _bed.SignedInAsync(account, Ct);

        using var answer = await ResourcesTestBed.AssignAsync(client, node.Hostname, before.GetValueOrDefault(KubernetesLabel) == "true" ? "swarm" : "kubernetes", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, answer.StatusCode);
        Assert.Equal(before, node.Labels());
        var entry = (await _bed.Store.ReadAuditAsync(10, Ct)).First(e => e.Action == "node.orchestrator");
        Assert.Equal((account, "refused"), (entry.Actor, entry.Result));
    }

    [Theory]
    [InlineData("forged-token")]
    [InlineData("")]
    public async Task AnAdminsPost_WithoutAValidAntiforgeryToken_IsRefused_AndTheNodeIsUnchanged(string token)
    {
        using var node = new LocalSwarmNode();
        var before = node.Labels();
        using var client = await _bed.SignedInAsync("chief", Ct);

        using var answer = await ResourcesTestBed.AssignAsync(client, node.Hostname, before.GetValueOrDefault(KubernetesLabel) == "true" ? "swarm" : "kubernetes", Ct, token);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal(before, node.Labels());
    }

    [Fact]
    public async Task APost_WithoutASession_IsSentToSignIn_AndTheNodeIsUnchanged()
    {
        using var node = new LocalSwarmNode();
        var before = node.Labels();
        using var client = _bed.Client();
        var token = await ConsoleServer.FormTokenAsync(client, "/login", Ct);

        using var answer = await ResourcesTestBed.AssignAsync(client, node.Hostname, "kubernetes", Ct, token);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Contains("/login", answer.Headers.Location!.OriginalString, StringComparison.Ordinal);
        Assert.Equal(before, node.Labels());
    }

    [Fact]
    public async Task ANodeNoOrchestratorKnows_IsRefused_AndAudited()
    {
        using var client = await _bed.SignedInAsync("chief", Ct);

        using var answer = await ResourcesTestBed.AssignAsync(client, "no-such-node", "swarm", Ct);
        var page = await client.GetStringAsync(answer.Headers.Location!.OriginalString, Ct);

        Assert.Contains("No node named no-such-node in the swarm or the cluster; nothing changed.", page, StringComparison.Ordinal);
        var entry = (await _bed.Store.ReadAuditAsync(10, Ct)).First(e => e.Action == "node.orchestrator");
        Assert.Equal(("/resources/nodes/no-such-node", "refused"), (entry.Target, entry.Result));
    }
}
