using System.Collections.Immutable;
using Berth.Compose;
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
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(project);
        using var found = new ViolationBuffer();
        var prepared = new PreparedRules(rules, project.WorkingDirectory);
        var facts = new ProjectFacts(project);
        foreach (var entry in project.Services.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (entry.Value is MappingNode service)
            {
                var start = found.Count;
                new ServiceCheck(entry.Name, entry.Key, service, prepared, facts, found).Run();
                found.SortFrom(start, Compare);
            }
        }

        // Services are usually in file order, so the whole buffer is sorted already and the big stable sort (and its
        // large temporary arrays) is only paid for projects merged from several files.
        return found.IsSorted(Compare) ? found.ToImmutable() : [.. Ordering.Stable(found.Items(), Compare)];
    }

    /// <summary>By file, line, column, then rule code.</summary>
    private static int Compare(Diagnostic a, Diagnostic b)
    {
        var order = string.CompareOrdinal(a.Location.File, b.Location.File);
        order = order != 0 ? order : a.Location.Line.CompareTo(b.Location.Line);
        order = order != 0 ? order : a.Location.Column.CompareTo(b.Location.Column);
        return order != 0 ? order : string.CompareOrdinal(a.Code, b.Code);
    }
}
