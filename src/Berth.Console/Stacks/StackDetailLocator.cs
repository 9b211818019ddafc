using System.Collections.Concurrent;
using System.Security.Claims;
using Berth.Console.Accounts;
using Berth.Console.Hosting;
using Berth.Console.State;
using Berth.Kubernetes.Access;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>
/// A stack's address in the console: <c>/stacks/{orchestrator}/{namespace or _}/{name}</c>. Swarm stacks have no
/// namespace, written <c>_</c> so the path keeps its three segments.
/// </summary>
internal sealed record StackAddress(StackOrchestrator Orchestrator, string Namespace, string Name)
{
    public const string NoNamespace = "_";

    public string Path => $"/stacks/{(Orchestrator == StackOrchestrator.Kubernetes ? "kubernetes" : "swarm")}/{Uri.EscapeDataString(Namespace.Length == 0 ? NoNamespace : Namespace)}/{Uri.EscapeDataString(Name)}";

    /// <summary>What the audit log names: the orchestrator, the namespace (Kubernetes) and the stack.</summary>
    public string AuditTarget => Orchestrator == StackOrchestrator.Kubernetes ? $"kubernetes/{Namespace}/{Name}" : $"swarm/{Name}";

    public static StackAddress Of(StackSummary stack) => new(stack.Orchestrator, stack.Orchestrator == StackOrchestrator.Kubernetes ? stack.Namespace : string.Empty, stack.Name);

    public static StackAddress? Parse(string? orchestrator, string? @namespace, string? name)
    {
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(@namespace))
        {
            return null;
        }

        return orchestrator?.ToLowerInvariant() switch
        {
            "swarm" when @namespace == NoNamespace => new StackAddress(StackOrchestrator.Swarm, string.Empty, name),
            "kubernetes" when @namespace != NoNamespace => new StackAddress(StackOrchestrator.Kubernetes, @namespace, name),
            _ => null,
        };
    }
}

/// <summary>A stack the signed-in account may see: the service to act through, the listing entry, and the account.</summary>
internal sealed record StackDetailTarget(StackAddress Address, IStackService Service, StackSummary Summary, Account Account)
{
    /// <summary>Operators and admins change stacks; viewers only read (checked on the server for every change).</summary>
    public bool MayChange => Account.Role >= ConsoleRole.Operator;
}

/// <summary>
/// Finds a stack for an account: it must exist on its orchestrator and be within the account's scope; otherwise the
/// answer is the same null (a 404), so a scoped account cannot learn that a stack outside its scope exists.
/// Kubernetes stacks are acted on through a stack service opened for their namespace (one per namespace, kept).
/// </summary>
internal sealed class StackDetailLocator(ConsoleOrchestrators orchestrators, IConsoleStore store, ConsoleOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<IStackService>> _namespaced = new(StringComparer.Ordinal);

    public async Task<StackDetailTarget?> FindAsync(ClaimsPrincipal user, StackAddress? address, CancellationToken cancellationToken)
    {
        if (address is null || user.Identity?.Name is not { } name
            || await store.FindAccountAsync(name, cancellationToken).ConfigureAwait(false) is not { Disabled: false } account
            || orchestrators.Service(address.Orchestrator) is not { } service)
        {
            return null;
        }

        var stacks = await service.ListAsync(new StackListOptions(AllNamespaces: true), cancellationToken).ConfigureAwait(false);
        var summary = stacks.FirstOrDefault(s => s.Name == address.Name && StackAddress.Of(s) == address);
        if (summary is null || !AccountScope.Of(account).Allows(summary))
        {
            return null;
        }

        return new StackDetailTarget(address, address.Orchestrator == StackOrchestrator.Kubernetes ? InNamespace(address.Namespace) : service, summary, account);
    }

    private IStackService InNamespace(string @namespace) => _namespaced.GetOrAdd(@namespace, ns => new Lazy<IStackService>(() => StackServices.Kubernetes(
        new KubernetesAccessOptions { Kubeconfig = ConsoleOrchestrators.FindKubeconfig(options.Kubeconfig), Namespace = ns },
        Environment.GetEnvironmentVariable))).Value;

    public void Dispose()
    {
        foreach (var service in _namespaced.Values.Where(s => s.IsValueCreated))
        {
            service.Value.Dispose();
        }
    }
}
