using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Services;

/// <summary>Builds the Services that make a Compose service reachable by name and publish its ports.</summary>
internal static class ServiceBuilder
{
    public static void Build(ConversionContext context, ServiceUnit unit)
    {
        context.Add(new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = context.Meta(unit.Name, unit.Labels),
            Spec = new V1ServiceSpec { ClusterIP = "None", Selector = ConversionContext.Sorted(unit.Selector) },
        });
    }
}
