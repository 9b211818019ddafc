namespace Berth.Kubernetes.Convert.Model;

internal enum WorkloadKind
{
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
}
