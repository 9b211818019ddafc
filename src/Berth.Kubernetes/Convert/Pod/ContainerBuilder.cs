using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Storage;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>Builds the service's container.</summary>
internal static class ContainerBuilder
{
    public static V1Container Build(ConversionContext context, ServiceUnit unit, ServiceStorage storage)
    {
        _ = context;
        return new V1Container
        {
            Name = unit.Name,
            Image = unit.Node.Str("image"),
            VolumeMounts = storage.Mounts.IsEmpty ? null : [.. storage.Mounts],
        };
    }
}
