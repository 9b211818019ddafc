namespace Berth.Kubernetes.Observe;

/// <summary>A workload to wait for: its kind (Deployment, StatefulSet, DaemonSet, Job), name and Compose service.</summary>
internal sealed record WorkloadRef(string Kind, string Name, string Service);
