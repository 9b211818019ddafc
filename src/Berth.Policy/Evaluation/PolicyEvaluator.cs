using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
using Berth.Policy.Model;

namespace Berth.Policy.Evaluation;

/// <summary>
/// Checks a loaded Compose project against the rules that apply to its scope. Pure: no I/O, nothing written. Every
/// violation is returned at once, at the offending key's file:line, ordered by file, line and column (then rule).
/// </summary>
public static class PolicyEvaluator
{
    public static ImmutableArray<Diagnostic> Evaluate(DeployPolicy policy, PolicyScope scope, ComposeProject project, CancellationToken cancellationToken = default)
        => Evaluate(policy.Resolve(scope), project, cancellationToken);

    public static ImmutableArray<Diagnostic> Evaluate(EffectiveRules rules, ComposeProject project, CancellationToken cancellationToken = default)
    {
        var bag = new DiagnosticBag();
        var severity = rules.Mode == PolicyMode.Enforce ? Severity.Error : Severity.Warning;
        var facts = new ProjectFacts(project);
        foreach (var entry in project.Services.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.Value is MappingNode service)
            {
                var check = new ServiceCheck(entry.Name, entry.Key, service, rules, severity, facts, bag);
                check.Run();
            }
        }

        return bag.ToImmutable();
    }
}
