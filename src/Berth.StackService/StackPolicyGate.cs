using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Stacks.Events;

namespace Berth.StackService;

/// <summary>
/// Published by plan and deploy first when the request carries a policy: the rule set that applied and every
/// violation, errors under <see cref="PolicyMode.Enforce"/> and warnings under <see cref="PolicyMode.Warn"/>.
/// </summary>
public sealed record StackPolicyChecked(string Policy, PolicyMode Mode, PolicyScope Scope, ImmutableArray<Diagnostic> Violations) : StackEvent
{
    /// <summary>An error-severity violation: nothing may be written.</summary>
    public bool Denied => Violations.Any(v => v.Severity == Severity.Error);
}

/// <summary>
/// The one place a stack operation checks its deploy policy (<see cref="StackDeployRequest.Policy"/>), for every front
/// end that plans or deploys through <see cref="IStackService"/> (CLI, Stack API, console): evaluated on the loaded
/// project before conversion and before any write or orchestrator call that writes.
/// </summary>
public static class StackPolicyGate
{
    /// <summary>
    /// The scope the policy is resolved for: the Kubernetes namespace, or on Swarm the stack's namespace label
    /// (<c>com.docker.stack.namespace</c>), which is the stack name; and the stack name.
    /// </summary>
    public static PolicyScope Scope(StackOrchestrator orchestrator, string stack, string? kubernetesNamespace)
        => new(orchestrator == StackOrchestrator.Kubernetes ? kubernetesNamespace : stack, stack);

    /// <summary>
    /// Evaluates the request's policy and publishes the verdict, which it returns; null (nothing checked) without a policy.
    /// </summary>
    public static StackPolicyChecked? Check(StackDeployRequest request, PolicyScope scope, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(events);
        if (request.Policy is not { } policy)
        {
            return null;
        }

        var rules = policy.Resolve(scope);
        var violations = PolicyEvaluator.Evaluate(rules, request.Project, cancellationToken);
        var verdict = new StackPolicyChecked(rules.Name, rules.Mode, scope, violations);
        events.Publish(verdict);
        return verdict;
    }
}
