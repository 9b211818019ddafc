namespace Berth.Stacks;

/// <summary>
/// The label (and Kubernetes Secret type) of the objects that hold a stack's deploy history: a Swarm config or a
/// Kubernetes Secret per revision, beside the stack's own objects. Planners, deployers and pruners leave them out;
/// removing the stack removes them.
/// </summary>
public static class StackRevisionLabels
{
    /// <summary>The revision number; its presence marks a history object.</summary>
    public const string Revision = "berth.io/stack-revision";

    /// <summary>The Kubernetes Secret type of a revision (as Helm's <c>helm.sh/release.v1</c>).</summary>
    public const string SecretType = "berth.io/stack-revision";

    public static bool IsRevision(IDictionary<string, string>? labels) => labels is not null && labels.ContainsKey(Revision);
}
