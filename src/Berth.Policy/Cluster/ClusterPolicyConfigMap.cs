using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Policy.Model;

namespace Berth.Policy.Cluster;

/// <summary>
/// The cluster policy convention: the ConfigMap <c>berth-policy</c> in the install namespace (<c>berth system
/// install</c>'s, default <c>berth-system</c>); key <c>policy.yaml</c> holds a policy document or a built-in profile
/// name alone (<c>restricted</c>); optional key <c>mode</c> (<c>warn</c> or <c>enforce</c>) overrides the policy's own
/// mode, as <c>--policy-mode</c> does. Reading the data is pure; fetching the ConfigMap is the caller's.
/// </summary>
public static class ClusterPolicyConfigMap
{
    public const string Name = "berth-policy";
    public const string PolicyKey = "policy.yaml";
    public const string ModeKey = "mode";
    public const string DefaultNamespace = "berth-system";

    /// <summary><c>configmap NS/berth-policy</c>.</summary>
    public static string Origin(string ns) => $"configmap {ns}/{Name}";

    /// <summary>The "file" of the policy's diagnostics: <c>configmap NS/berth-policy key policy.yaml</c>.</summary>
    public static string PolicyOrigin(string ns) => $"{Origin(ns)} key {PolicyKey}";

    /// <summary>
    /// The cluster policy from the ConfigMap's data; null data: no ConfigMap (<see cref="ClusterPolicyState.None"/>).
    /// </summary>
    public static ClusterPolicy Read(string ns, IReadOnlyDictionary<string, string>? data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ns);
        var origin = Origin(ns);
        if (data is null)
        {
            return ClusterPolicy.None(origin);
        }

        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        PolicyMode? mode = null;
        if (data.TryGetValue(ModeKey, out var modeText))
        {
            mode = modeText.Trim() switch
            {
                "enforce" => PolicyMode.Enforce,
                "warn" => PolicyMode.Warn,
                _ => null,
            };
            if (mode is null)
            {
                diagnostics.Add(new Diagnostic(PolicyCodes.InvalidValue, Severity.Error, $"'{Clip(modeText)}' is not a policy mode", new SourceLocation($"{origin} key {ModeKey}", 1, 1), Hint: "write warn or enforce"));
            }
        }

        DeployPolicy? policy = null;
        if (!data.TryGetValue(PolicyKey, out var text))
        {
            diagnostics.Add(new Diagnostic(PolicyCodes.NotAPolicy, Severity.Error, $"the ConfigMap has no key '{PolicyKey}'", new SourceLocation(origin, 0, 0), Hint: $"put a policy document or a profile name ({PolicySource.ProfileNames}) under '{PolicyKey}', or delete the ConfigMap"));
        }
        else
        {
            var parsed = PolicySource.Parse(text, PolicyOrigin(ns), cancellationToken);
            diagnostics.AddRange(parsed.Diagnostics.Where(d => d.Severity == Severity.Error));
            policy = parsed.Policy;
        }

        if (diagnostics.Count > 0 || policy is null)
        {
            var found = diagnostics.ToImmutable();
            var problem = string.Join("; ", found.Select(Describe));
            return new ClusterPolicy(ClusterPolicyState.Invalid, null, origin, problem, found, mode == PolicyMode.Warn);
        }

        policy = policy with { Name = NameIn(policy.Name, ns) };
        return new ClusterPolicy(ClusterPolicyState.Active, mode is { } m ? policy.WithMode(m) : policy, origin, null, [], false);
    }

    /// <summary><c>file:line:column: code: message (hint: ...)</c>, as one line.</summary>
    public static string Describe(Diagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        var location = diagnostic.Location;
        var where = location.Line > 0 ? $"{location.File}:{location.Line}:{location.Column}" : location.File;
        var hint = diagnostic.Hint is { Length: > 0 } h ? $" (hint: {h})" : string.Empty;
        return $"{where}: {diagnostic.Code}: {diagnostic.Message}{hint}";
    }

    // Every violation names the policy: say it is the cluster's. A policy without a name of its own was named after
    // its "file" by the parser (the key), which says nothing.
    private static string NameIn(string name, string ns)
        => name == Path.GetFileName(PolicyOrigin(ns)) ? Origin(ns) : $"{name} ({Origin(ns)})";

    // A mode value is a word; a long one is cut so a message stays one readable line.
    private static string Clip(string value) => value.Length <= 40 ? value : value[..40] + "...";
}
