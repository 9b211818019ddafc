namespace Berth.Kubernetes.Convert.Model;

/// <summary>
/// The Kubernetes kind name of a <see cref="WorkloadKind"/>. Formatting an enum with <c>ToString()</c> or in an
/// interpolated string reads its names through the reflection runtime in a Native AOT binary (a first use costs
/// start-up time), so the names are spelled out.
/// </summary>
internal static class WorkloadKindNames
{
    public static string Name(this WorkloadKind kind) => kind switch
    {
        WorkloadKind.Deployment => "Deployment",
        WorkloadKind.StatefulSet => "StatefulSet",
        WorkloadKind.DaemonSet => "DaemonSet",
        WorkloadKind.Job => "Job",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
