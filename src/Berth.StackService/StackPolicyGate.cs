using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Policy;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Stacks.Events;

namespace Berth.StackService;

/// <summary>
/// Published by plan and deploy first when a policy was checked (the request's, a namespace's Pod Security labels,
/// or both): every violation, errors under <see cref="PolicyMode.Enforce"/> and warnings under
/// <see cref="PolicyMode.Warn"/>, each naming the rule set it comes from. <see cref="Policy"/> names every rule set
/// checked (joined with "and"); <see cref="Mode"/> is enforce when any of them enforces.
/// </summary>
public sealed record StackPolicyChecked(string Policy, PolicyMode Mode, PolicyScope Scope, ImmutableArray<Diagnostic> Violations) : StackEvent
{
    /// <summary>An error-severity violation: nothing may be written.</summary>
    public bool Denied => Violations.Any(v => v.Severity == Severity.Error);

    /// <summary>The rule sets that produced an error-severity violation (for the line that ends a denied command); empty when none.</summary>
    public ImmutableArray<string> DeniedBy { get; init; } = [];
}

/// <summary>
/// The one place a stack operation checks its deploy policy (<see cref="StackDeployRequest.Policy"/>) and, on
/// Kubernetes, the namespace's Pod Security labels, for every front end that plans or deploys through
/// <see cref="IStackService"/> (CLI, Stack API, console): evaluated on the loaded project before conversion and before
/// any write or orchestrator call that writes.
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
        => Check(request, scope, null, events, cancellationToken);

    /// <summary>
    /// Evaluates the request's policy and the namespace's Pod Security labels (<paramref name="namespaceLabels"/>,
    /// null: none) on the same project, and publishes one verdict with every violation of both, which it returns;
    /// null when neither has anything to check. A warning of one rule set at the place and for the rule another
    /// already makes an error is dropped (one line to fix, said once as what stops the deploy); two errors stay, each
    /// naming its rule set, since both must be satisfied.
    /// </summary>
    public static StackPolicyChecked? Check(StackDeployRequest request, PolicyScope scope, PodSecurityPolicy? namespaceLabels, IStackEventSink events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(events);
        var labelled = namespaceLabels is { } read && (read.Policy is not null || !read.Diagnostics.IsEmpty);
        if (request.Policy is null && !labelled)
        {
            return null;
        }

        var names = new List<string>();
        var modes = new List<PolicyMode>();
        var found = new List<Diagnostic>();
        var deniedBy = ImmutableArray.CreateBuilder<string>();
        if (request.Policy is { } policy)
        {
            var rules = policy.Resolve(scope);
            names.Add(rules.Name);
            modes.Add(rules.Mode);
            var violations = PolicyEvaluator.Evaluate(rules, request.Project, cancellationToken);
            found.AddRange(violations);
            if (violations.Any(v => v.Severity == Severity.Error))
            {
                deniedBy.Add(rules.Name);
            }
        }

        if (labelled)
        {
            var labels = namespaceLabels!;
            foreach (var level in new[] { labels.Policy, labels.StricterWarning }.OfType<DeployPolicy>())
            {
                names.Add(level.Name);
                modes.Add(level.Mode);
            }

            // BP108 (a label Berth cannot read) first: it explains the level the violations below were checked at.
            found.AddRange(labels.Diagnostics);
            var violations = labels.Evaluate(scope, request.Project, cancellationToken);
            found.AddRange(violations);
            if (labels.Policy is { Mode: PolicyMode.Enforce } enforced && violations.Any(v => v.Severity == Severity.Error))
            {
                deniedBy.Add(enforced.Name);
            }
        }

        var verdict = new StackPolicyChecked(
            string.Join(" and ", names),
            modes.Contains(PolicyMode.Enforce) ? PolicyMode.Enforce : PolicyMode.Warn,
            scope,
            request.Policy is not null && labelled ? Merge(found) : [.. found])
        {
            DeniedBy = deniedBy.ToImmutable(),
        };
        events.Publish(verdict);
        return verdict;
    }

    /// <summary>Two rule sets' violations in file and line order (stable: each set's own order stays), without warnings another rule set makes errors.</summary>
    private static ImmutableArray<Diagnostic> Merge(List<Diagnostic> found)
    {
        var errors = found.Where(d => d.Severity == Severity.Error).Select(d => (d.Code, d.Location, d.YamlPath)).ToHashSet();
        return
        [
            .. found
                .Where(d => d.Severity == Severity.Error || !errors.Contains((d.Code, d.Location, d.YamlPath)))
                .Select((d, index) => (d, index))
                .OrderBy(x => x.d.Location.IsKnown ? 1 : 0)
                .ThenBy(x => x.d.Location.File, StringComparer.Ordinal)
                .ThenBy(x => x.d.Location.Line)
                .ThenBy(x => x.d.Location.Column)
                .ThenBy(x => x.index)
                .Select(x => x.d),
        ];
    }
}
