using System.Collections.Immutable;
using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>The pod volumes, mounts and claim templates one service gets from its <c>volumes</c>, <c>tmpfs</c> and <c>shm_size</c>.</summary>
internal sealed record ServiceStorage(
    ImmutableArray<V1Volume> Volumes,
    ImmutableArray<V1VolumeMount> Mounts,
    ImmutableArray<V1PersistentVolumeClaim> ClaimTemplates);

/// <summary>The storage decisions for the whole project: each service's workload kind and storage.</summary>
internal sealed record StoragePlan(ImmutableArray<ServiceUnit> Units, ImmutableDictionary<string, ServiceStorage> ByService)
{
    public ServiceStorage For(ServiceUnit unit) => ByService[unit.ComposeName];
}
