using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert.Workloads;

/// <summary>kompose.hpa.* labels → autoscaling/v2 HorizontalPodAutoscaler.</summary>
internal static class Autoscaling
{
    public static void Build(ConversionContext context, ServiceUnit unit)
    {
        _ = context;
        _ = unit;
    }
}
