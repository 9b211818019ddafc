using System.Collections.Immutable;
using Berth.Compose.Diagnostics;

namespace Berth.Policy.Model;

/// <summary>Whether violations stop a deploy (errors) or are only reported (warnings).</summary>
public enum PolicyMode
{
    Enforce,
    Warn,
}

/// <summary>Where a stack goes: the namespace (Kubernetes) or none (Swarm), and the stack's name.</summary>
public sealed record PolicyScope(string? Namespace, string StackName);

/// <summary>
/// Which stacks a scoped rule set applies to: every selector given must match (namespace exactly, stack name by prefix).
/// </summary>
public sealed record ScopeSelector(string? Namespace, string? StackPrefix)
{
    public bool Matches(PolicyScope scope)
        => (Namespace is null || string.Equals(Namespace, scope.Namespace, StringComparison.Ordinal))
           && (StackPrefix is null || scope.StackName.StartsWith(StackPrefix, StringComparison.Ordinal));
}

/// <summary>A rule set with its mode, as it applies to a stack; <see cref="Name"/> says where it came from.</summary>
public sealed record EffectiveRules(string Name, PolicyMode Mode, RuleSet Rules);

/// <summary>A scoped rule set: its own profile and rules (it does not inherit the policy's default rules).</summary>
public sealed record ScopedRules(string Name, ScopeSelector Match, PolicyMode? Mode, RuleSet Rules, SourceLocation Location);

/// <summary>
/// A deploy policy: the default rule set and scoped ones. Precedence: the first scope in file order whose selectors
/// all match the stack wins, and replaces the default set; a stack no scope matches gets the default set.
/// </summary>
public sealed record DeployPolicy(string Name, PolicyMode Mode, RuleSet Rules, ImmutableArray<ScopedRules> Scopes)
{
    public EffectiveRules Resolve(PolicyScope scope)
    {
        foreach (var scoped in Scopes)
        {
            if (scoped.Match.Matches(scope))
            {
                return new EffectiveRules($"{Name} scope '{scoped.Name}'", scoped.Mode ?? Mode, scoped.Rules);
            }
        }

        return new EffectiveRules(Name, Mode, Rules);
    }

    public DeployPolicy WithMode(PolicyMode mode)
        => this with { Mode = mode, Scopes = [.. Scopes.Select(s => s with { Mode = mode })] };
}
