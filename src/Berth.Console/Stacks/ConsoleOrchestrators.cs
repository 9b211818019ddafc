using System.Collections.Immutable;
using Berth.Kubernetes.Access;
using Berth.StackService;
using Berth.Console.Hosting;
using k8s;

namespace Berth.Console.Stacks;

/// <summary>A stack as the stacks page lists it, or why an orchestrator could not be read.</summary>
internal sealed record StackListing(ImmutableArray<StackSummary> Stacks, ImmutableArray<(StackOrchestrator Orchestrator, string Problem)> Problems);

/// <summary>The console's connection to the cluster, or why there is none (no kubeconfig, or one that cannot be used).</summary>
internal sealed record ClusterConnection(KubernetesCluster? Cluster, string? Problem);

/// <summary>The namespaces the cluster lists, or why it could not be read (then <see cref="Names"/> is empty).</summary>
internal sealed record ClusterNamespaces(ImmutableArray<string> Names, string? Problem);

/// <summary>
/// The stack services the console reaches: Swarm on the engine the docker CLI would use, and Kubernetes when a
/// kubeconfig is found. Pages read stacks only through these (docs/design/console.md).
/// </summary>
internal sealed class ConsoleOrchestrators : IDisposable
{
    private readonly Dictionary<StackOrchestrator, IStackService> _services = [];

    // The cluster itself, for what no stack service answers (which namespaces exist, the shared resources, node
    // labels): one connection for the whole console, made on first use.
    private readonly Lazy<ClusterConnection> _cluster;

    public ConsoleOrchestrators(ConsoleOptions options)
    {
        _services[StackOrchestrator.Swarm] = StackServices.Swarm(Environment.GetEnvironmentVariable);
        if (FindKubeconfig(options.Kubeconfig) is { } kubeconfig)
        {
            var access = new KubernetesAccessOptions { Kubeconfig = kubeconfig };
            _services[StackOrchestrator.Kubernetes] = StackServices.Kubernetes(access, Environment.GetEnvironmentVariable);
            _cluster = new Lazy<ClusterConnection>(() => Connect(access));
        }
        else
        {
            _cluster = new Lazy<ClusterConnection>(new ClusterConnection(null, "no kubeconfig found (give --kubeconfig, set KUBECONFIG or write ~/.kube/config)"));
        }
    }

    /// <summary>The cluster the kubeconfig names, connected once, or why it cannot be reached.</summary>
    public ClusterConnection Cluster => _cluster.Value;

    public IReadOnlyCollection<StackOrchestrator> Available => _services.Keys;

    /// <summary>The shared stack service of an orchestrator (Kubernetes: of the kubeconfig's current namespace), or null when the console cannot reach it.</summary>
    public IStackService? Service(StackOrchestrator orchestrator) => _services.GetValueOrDefault(orchestrator);

    /// <summary>Every stack of every orchestrator the account may see; an orchestrator that cannot be read is named with its reason.</summary>
    public async Task<StackListing> ListAsync(Func<StackSummary, bool> visible, CancellationToken cancellationToken)
    {
        var reads = _services.Select(async pair =>
        {
            try
            {
                return (pair.Key, Stacks: await pair.Value.ListAsync(new StackListOptions(AllNamespaces: true), cancellationToken).ConfigureAwait(false), Problem: (string?)null);
            }
            catch (Exception e) when (e is StackOrchestratorException or HttpRequestException or IOException or TimeoutException)
            {
                return (pair.Key, Stacks: ImmutableArray<StackSummary>.Empty, Problem: e.Message);
            }
        });
        var results = await Task.WhenAll(reads).ConfigureAwait(false);
        return new StackListing(
            [.. results.SelectMany(r => r.Stacks).Where(visible).OrderBy(s => s.Name, StringComparer.Ordinal).ThenBy(s => s.Orchestrator).ThenBy(s => s.Namespace, StringComparer.Ordinal)],
            [.. results.Where(r => r.Problem is not null).Select(r => (r.Key, r.Problem!))]);
    }

    /// <summary>The kubeconfig's namespace (where a Kubernetes deploy goes when none is chosen), or null without Kubernetes or a usable kubeconfig.</summary>
    public string? KubernetesDefaultNamespace() => Cluster.Cluster?.Namespace;

    /// <summary>
    /// The cluster's namespaces (as kubectl get namespaces lists them), sorted; a refusal (RBAC may not let the
    /// kubeconfig's user list namespaces) or an unreachable cluster is answered with its reason, not thrown.
    /// </summary>
    public async Task<ClusterNamespaces> KubernetesNamespacesAsync(CancellationToken cancellationToken)
    {
        if (!_services.ContainsKey(StackOrchestrator.Kubernetes))
        {
            return new ClusterNamespaces([], "Kubernetes is not available to this console");
        }

        if (Cluster is not { Cluster: { } cluster })
        {
            return new ClusterNamespaces([], Cluster.Problem);
        }

        try
        {
            var list = await cluster.Client.CoreV1.ListNamespaceAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new ClusterNamespaces([.. list.Items.Select(n => n.Metadata.Name).Order(StringComparer.Ordinal)], null);
        }
        catch (KubernetesAccessException e)
        {
            return new ClusterNamespaces([], e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException && cluster.Explain(e) is { } explained)
        {
            return new ClusterNamespaces([], explained.Message);
        }
    }

    public void Dispose()
    {
        if (_cluster.IsValueCreated)
        {
            _cluster.Value.Cluster?.Dispose();
        }

        foreach (var service in _services.Values)
        {
            service.Dispose();
        }
    }

    private static ClusterConnection Connect(KubernetesAccessOptions access)
    {
        try
        {
            return new ClusterConnection(KubernetesCluster.Connect(access, Environment.GetEnvironmentVariable), null);
        }
        catch (KubernetesAccessException e)
        {
            return new ClusterConnection(null, e.Message);
        }
    }

    // kubectl's order: the flag, KUBECONFIG (first file of the list that exists), then ~/.kube/config.
    internal static string? FindKubeconfig(string? flag)
    {
        if (flag is { Length: > 0 })
        {
            return flag;
        }

        foreach (var file in (Environment.GetEnvironmentVariable("KUBECONFIG") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(file))
            {
                return file;
            }
        }

        var home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        return File.Exists(home) ? home : null;
    }
}
