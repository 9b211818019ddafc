namespace Berth.Stacks;

/// <summary>
/// Label and annotation keys that mark what a stack owns. The <c>com.docker.*</c> keys are the ones
/// <c>docker stack deploy</c> and compose-on-kubernetes use, so stacks made by either tool are recognised
/// and stacks made by Berth are visible to them.
/// </summary>
public static class StackLabels
{
    /// <summary>The stack an object belongs to; the ownership label prune and delete rely on.</summary>
    public const string StackNamespace = "com.docker.stack.namespace";

    /// <summary>The Compose service an object belongs to.</summary>
    public const string ServiceName = "com.docker.service.name";

    /// <summary><c>&lt;stack&gt;-&lt;service&gt;</c>, unique across stacks (compose-on-kubernetes selector label).</summary>
    public const string ServiceId = "com.docker.service.id";

    public const string AppName = "app.kubernetes.io/name";
    public const string AppInstance = "app.kubernetes.io/instance";
    public const string AppPartOf = "app.kubernetes.io/part-of";
    public const string AppComponent = "app.kubernetes.io/component";
    public const string AppManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>The value of <see cref="AppManagedBy"/> on everything Berth creates.</summary>
    public const string ManagedByBerth = "berth";

    /// <summary>Prefix of the pod label saying a pod is attached to a Compose network (network policies select on it).</summary>
    public const string NetworkPrefix = "network.berth.io/";
}
