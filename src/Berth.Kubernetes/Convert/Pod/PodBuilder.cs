using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Storage;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>Builds the pod template of a service: one container named after the service, plus pod-level settings.</summary>
internal static class PodBuilder
{
    public static V1PodTemplateSpec Build(ConversionContext context, ServiceUnit unit, StoragePlan storage)
    {
        var container = ContainerBuilder.Build(context, unit, storage.For(unit));
        var spec = new V1PodSpec { Containers = [container] };
        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = ConversionContext.Sorted(unit.Labels) },
            Spec = spec,
        };
    }
}
