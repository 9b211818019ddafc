using System.Collections.Immutable;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>A user the double authenticates by bearer token (the front's own authentication, before proxying).</summary>
public sealed record DoubleUser(string Name, string Uid, ImmutableArray<string> Groups, ImmutableDictionary<string, ImmutableArray<string>> Extra);

/// <summary>
/// One RBAC-like rule: <see cref="Subject"/> (a user name, or "group:NAME") may do <see cref="Verbs"/> on
/// <see cref="Resources"/> ("stacks", "stacks/owner", "*") of <see cref="ApiGroup"/> ("*" for any), in
/// <see cref="Namespace"/> (null: every namespace and the cluster scope), limited to <see cref="ResourceNames"/> when
/// given (as RBAC's resourceNames: "impersonate" rules name the users, groups or uids). Non-resource paths are allowed
/// by a rule whose resources hold "nonresource:*".
/// </summary>
public sealed record RbacRule(string Subject, ImmutableArray<string> Verbs, string ApiGroup, ImmutableArray<string> Resources, string? Namespace = null, ImmutableArray<string> ResourceNames = default)
{
    internal bool Matches(DoubleUser user, string verb, string group, string resource, string subresource, string? @namespace, string? name = null)
    {
        var subjectMatches = Subject == user.Name || (Subject.StartsWith("group:", StringComparison.Ordinal) && user.Groups.Contains(Subject["group:".Length..]));
        if (!subjectMatches || !(Verbs.Contains("*") || Verbs.Contains(verb)) || !(ApiGroup == "*" || ApiGroup == group))
        {
            return false;
        }

        if (Namespace is not null && Namespace != @namespace)
        {
            return false;
        }

        if (!ResourceNames.IsDefaultOrEmpty && (name is null || !ResourceNames.Contains(name)))
        {
            return false;
        }

        // As RBAC: "stacks" does not cover "stacks/owner"; "*" covers everything, "*/owner" one subresource of all.
        var full = subresource.Length == 0 ? resource : $"{resource}/{subresource}";
        return Resources.Contains("*") || Resources.Contains(full) || (subresource.Length > 0 && Resources.Contains("*/" + subresource));
    }
}
