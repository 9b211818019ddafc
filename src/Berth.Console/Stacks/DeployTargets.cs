using Berth.Console.Hosting;
using Berth.Kubernetes.Access;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>A stack service for one deploy: the shared one, or (Kubernetes, another namespace) one of its own, disposed with the lease.</summary>
internal sealed class StackServiceLease(IStackService service, bool owned) : IDisposable
{
    public IStackService Service => service;

    public void Dispose()
    {
        if (owned)
        {
            service.Dispose();
        }
    }
}

/// <summary>
/// Where a deploy goes: Swarm's shared service, or Kubernetes in the chosen namespace. The namespace is a setting of
/// the Kubernetes access (as <c>berth stack deploy --namespace</c>), so a namespace other than the kubeconfig's gets its own service.
/// </summary>
internal sealed class DeployTargets(ConsoleOrchestrators orchestrators, ConsoleOptions options)
{
    public IReadOnlyCollection<StackOrchestrator> Available => orchestrators.Available;

    /// <summary>The console's --resolve-image, for every deploy and plan it makes.</summary>
    public Berth.Swarm.Apply.ImageResolution? ResolveImage => options.ResolveImage;

    /// <summary>The console's --policy (with --policy-mode), for every deploy, plan and rollback it makes; null: none.</summary>
    public Berth.Policy.Model.DeployPolicy? Policy => options.Policy;

    /// <summary>
    /// The Kubernetes namespaces the create form offers: the cluster's, those outside the account's namespaces left out
    /// (an unlimited account sees them all). Empty with the reason when the cluster cannot list them.
    /// </summary>
    public async Task<ClusterNamespaces> NamespacesAsync(Accounts.AccountScope scope, CancellationToken cancellationToken)
    {
        var listed = await orchestrators.KubernetesNamespacesAsync(cancellationToken).ConfigureAwait(false);
        return listed with { Names = [.. listed.Names.Where(scope.AllowsNamespace)] };
    }

    /// <summary>The kubeconfig's namespace, or null without Kubernetes.</summary>
    public string? DefaultNamespace => orchestrators.KubernetesDefaultNamespace();

    /// <summary>
    /// The submission with its Kubernetes namespace made explicit: left empty, the kubeconfig's namespace, as the CLI
    /// would deploy to. Scope checks, the job's key and the stack's address then all name the namespace used.
    /// </summary>
    public DeployInput WithNamespace(DeployInput input) =>
        input.Orchestrator == StackOrchestrator.Kubernetes && input.Namespace.Length == 0 && DefaultNamespace is { } ns
            ? input with { Namespace = ns }
            : input;

    public StackServiceLease Open(StackOrchestrator orchestrator, string ns)
    {
        var shared = orchestrators.Service(orchestrator) ?? throw new InvalidOperationException($"{orchestrator} is not available to this console");
        if (orchestrator != StackOrchestrator.Kubernetes || ns.Length == 0)
        {
            return new StackServiceLease(shared, owned: false);
        }

        var access = new KubernetesAccessOptions { Kubeconfig = ConsoleOrchestrators.FindKubeconfig(options.Kubeconfig), Namespace = ns };
        return new StackServiceLease(StackServices.Kubernetes(access, Environment.GetEnvironmentVariable), owned: true);
    }
}
