using System.Security.Claims;
using Berth.StackService;

namespace Berth.Console.Accounts;

/// <summary>
/// Which stacks an account may see and act on: its namespaces (Kubernetes) and stack-name prefixes (both
/// orchestrators), each list allowing everything when empty.
/// </summary>
internal sealed record AccountScope(IReadOnlyList<string> Namespaces, IReadOnlyList<string> StackPrefixes)
{
    public static AccountScope Of(Account account) => new(account.Namespaces, account.StackPrefixes);

    public bool Allows(StackSummary stack) =>
        (StackPrefixes.Count == 0 || StackPrefixes.Any(p => stack.Name.StartsWith(p, StringComparison.Ordinal)))
        && (stack.Orchestrator != StackOrchestrator.Kubernetes || AllowsNamespace(stack.Namespace));

    /// <summary>Whether the account may see the Kubernetes namespace <paramref name="ns"/> (every one when it has no namespaces).</summary>
    public bool AllowsNamespace(string ns) => Namespaces.Count == 0 || Namespaces.Contains(ns, StringComparer.Ordinal);

    public static async Task<AccountScope?> OfUserAsync(ClaimsPrincipal user, State.IConsoleStore store, CancellationToken cancellationToken) =>
        user.Identity?.Name is { } name && await store.FindAccountAsync(name, cancellationToken).ConfigureAwait(false) is { } account ? Of(account) : null;
}
