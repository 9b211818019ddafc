using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;
using Berth.StackService;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Berth.Console.Resources;

/// <summary>
/// The Kubernetes side of the shared resources: nodes, the images the kubelets report, PersistentVolumeClaims,
/// Secrets and ConfigMaps. Secrets and ConfigMaps are turned into names and metadata as soon as a list arrives; their
/// data is never copied into what the page gets. Kubernetes has no network objects of the Swarm kind (pods share the
/// cluster network), so its network list is empty.
/// </summary>
internal static class KubernetesResourceReader
{
    private const string RoleLabelPrefix = "node-role.kubernetes.io/";

    /// <summary>
    /// Reads the four lists in parallel; one that <paramref name="explain"/> recognises as refused or failed (e.g. a
    /// 403 listing Secrets) leaves its section empty with the reason, the others are shown. The images come from the
    /// nodes, so they share the nodes' reason.
    /// </summary>
    public static async Task<ResourceSide> ReadAsync(IKubernetes client, Func<Exception, string?> explain, CancellationToken cancellationToken)
    {
        var nodes = SectionRead.AttemptAsync(client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken), explain);
        var claims = SectionRead.AttemptAsync(client.CoreV1.ListPersistentVolumeClaimForAllNamespacesAsync(cancellationToken: cancellationToken), explain);
        var secrets = SectionRead.AttemptAsync(client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: cancellationToken), explain);
        var configMaps = SectionRead.AttemptAsync(client.CoreV1.ListConfigMapForAllNamespacesAsync(cancellationToken: cancellationToken), explain);
        await Task.WhenAll(nodes, claims, secrets, configMaps).ConfigureAwait(false);

        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodeList = Items(await nodes.ConfigureAwait(false), ResourceSections.Nodes, problems, l => l.Items);
        if (problems.TryGetValue(ResourceSections.Nodes, out var nodesProblem))
        {
            problems[ResourceSections.Images] = nodesProblem;
        }

        var side = new ResourceSide(
            StackOrchestrator.Kubernetes,
            Problem: null,
            [.. nodeList.Select(Node).OrderBy(n => n.Name, StringComparer.Ordinal)],
            Images(nodeList),
            [.. Items(await claims.ConfigureAwait(false), ResourceSections.Volumes, problems, l => l.Items).Select(Claim).OrderBy(c => c.Namespace, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)],
            [],
            [.. Items(await secrets.ConfigureAwait(false), ResourceSections.Secrets, problems, l => l.Items).Select(s => Metadata(s.Metadata, s.Type ?? "Opaque")).OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal)],
            [.. Items(await configMaps.ConfigureAwait(false), ResourceSections.Configs, problems, l => l.Items).Select(c => Metadata(c.Metadata, "ConfigMap")).OrderBy(c => c.Namespace, StringComparer.Ordinal).ThenBy(c => c.Name, StringComparer.Ordinal)]);
        // Five sections come from the four lists (images from the nodes); networks are not read.
        return SectionRead.Settle(side, problems, 5);
    }

    private static IList<TItem> Items<TList, TItem>((TList? List, string? Problem) read, string section, Dictionary<string, string> problems, Func<TList, IList<TItem>?> items)
        where TList : class
    {
        if (read.Problem is { } problem)
        {
            problems[section] = problem;
        }

        return read.List is { } list ? items(list) ?? [] : [];
    }

    /// <summary>
    /// Mirrors the Swarm node's UCP labels on the Kubernetes node of that name: a JSON merge patch of
    /// <c>metadata.labels</c> ("true" for each orchestrator served, null removes the other). False when there is no such node.
    /// </summary>
    public static async Task<bool> AssignAsync(IKubernetes client, string name, NodeAssignment assignment, CancellationToken cancellationToken)
    {
        var labels = new JsonObject();
        foreach (var (key, value) in NodeAssignmentLabels.For(assignment))
        {
            labels[key] = value;
        }

        var patch = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = labels } };
        try
        {
            await client.CoreV1.PatchNodeAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static ClusterNode Node(V1Node node)
    {
        var labels = node.Metadata?.Labels ?? new Dictionary<string, string>();
        var roles = labels.Keys.Where(k => k.StartsWith(RoleLabelPrefix, StringComparison.Ordinal) && k.Length > RoleLabelPrefix.Length).Select(k => k[RoleLabelPrefix.Length..]).Order(StringComparer.Ordinal).ToList();
        var ready = node.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready")?.Status == "True" ? "Ready" : "NotReady";
        var state = node.Spec?.Unschedulable == true ? $"{ready}, SchedulingDisabled" : ready;
        var capacity = node.Status?.Capacity;
        return new ClusterNode(
            node.Metadata?.Name ?? "?",
            roles.Count > 0 ? string.Join(", ", roles) : "worker",
            state,
            capacity is not null && capacity.TryGetValue("cpu", out var cpu) ? (double)cpu.ToDecimal() : null,
            capacity is not null && capacity.TryGetValue("memory", out var memory) ? memory.ToInt64() : null,
            node.Status?.NodeInfo?.KubeletVersion,
            NodeAssignmentLabels.Read(labels));
    }

    /// <summary>The images the kubelets report (status.images), once per name, with the nodes holding them.</summary>
    private static ImmutableArray<SharedResource> Images(IEnumerable<V1Node> nodes) =>
        [.. nodes
            .SelectMany(n => (n.Status?.Images ?? []).Select(image => (Node: n.Metadata?.Name ?? "?", Name: image.Names?.FirstOrDefault(x => !x.Contains('@', StringComparison.Ordinal)) ?? image.Names?.FirstOrDefault() ?? "?", image.SizeBytes)))
            .GroupBy(i => i.Name, StringComparer.Ordinal)
            .Select(g => new SharedResource(g.Key, null, $"{ByteSize.Describe(g.First().SizeBytes)}, on {string.Join(", ", g.Select(i => i.Node).Distinct(StringComparer.Ordinal))}", null))
            .OrderBy(i => i.Name, StringComparer.Ordinal)];

    private static SharedResource Claim(V1PersistentVolumeClaim claim)
    {
        var size = claim.Status?.Capacity is { } capacity && capacity.TryGetValue("storage", out var bound) ? bound.ToString()
            : claim.Spec?.Resources?.Requests is { } requests && requests.TryGetValue("storage", out var requested) ? $"{requested} requested"
            : "no size";
        var storageClass = claim.Spec?.StorageClassName is { Length: > 0 } name ? $", class {name}" : string.Empty;
        return Metadata(claim.Metadata, $"{claim.Status?.Phase ?? "Pending"}, {size}{storageClass}");
    }

    private static SharedResource Metadata(V1ObjectMeta? metadata, string detail) =>
        new(metadata?.Name ?? "?", metadata?.NamespaceProperty, detail, metadata?.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null);
}
