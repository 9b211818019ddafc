using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Policy.Model;

namespace Berth.Policy.Cluster;

/// <summary>What the cluster's policy ConfigMap says: nothing (no ConfigMap), a policy, or a policy that cannot be used.</summary>
public enum ClusterPolicyState
{
    /// <summary>No ConfigMap: nothing is checked.</summary>
    None,

    /// <summary>A policy to evaluate (<see cref="ClusterPolicy.Policy"/>).</summary>
    Active,

    /// <summary>The ConfigMap exists but its policy or mode cannot be read, or the ConfigMap could not be fetched.</summary>
    Invalid,
}

/// <summary>
/// The deploy policy of a cluster as the Stack API and berth-controller read it from the ConfigMap
/// <see cref="ClusterPolicyConfigMap.Name"/> in the install namespace. An <see cref="ClusterPolicyState.Invalid"/> one
/// fails closed (every stack write and deploy is refused, naming the ConfigMap) unless the ConfigMap's own
/// <c>mode</c> key says <c>warn</c>: an administrator who asked only for warnings gets the problem as a warning.
/// </summary>
/// <param name="State">None, Active or Invalid.</param>
/// <param name="Policy">The policy when Active, with the ConfigMap's <c>mode</c> applied.</param>
/// <param name="Origin">The ConfigMap, <c>configmap NS/berth-policy</c>, for messages.</param>
/// <param name="Problem">When Invalid: what is wrong, one line per diagnostic (file:line: code: message), no values of other keys.</param>
/// <param name="Diagnostics">When Invalid: the policy reader's diagnostics (BP1xx), located in the ConfigMap key.</param>
/// <param name="FailsOpen">When Invalid: the ConfigMap's <c>mode</c> key is <c>warn</c>, so deploys go on with a warning.</param>
public sealed record ClusterPolicy(
    ClusterPolicyState State,
    DeployPolicy? Policy,
    string Origin,
    string? Problem,
    ImmutableArray<Diagnostic> Diagnostics,
    bool FailsOpen)
{
    public static ClusterPolicy None(string origin) => new(ClusterPolicyState.None, null, origin, null, [], false);

    /// <summary>The ConfigMap could not be fetched (not a 404): fail closed, the mode being unknown.</summary>
    public static ClusterPolicy Unreadable(string origin, string reason)
        => new(ClusterPolicyState.Invalid, null, origin, $"the {origin} could not be read: {reason}", [], false);

    /// <summary>
    /// The sentence a refused (or, failing open, warned) stack gets when the policy is Invalid: what, where, and the
    /// hint that an administrator must fix or delete the ConfigMap.
    /// </summary>
    public string InvalidMessage
        => $"the cluster deploy policy cannot be used: {Problem}; "
           + (FailsOpen ? "its mode is warn, so the stack is accepted unchecked" : "nothing is written until an administrator fixes or deletes the ConfigMap");
}
