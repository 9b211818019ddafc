using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Storage;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Workloads;

/// <summary>Wraps the pod template in the workload the service's kind asks for.</summary>
internal static class WorkloadBuilder
{
    public static void Build(ConversionContext context, ServiceUnit unit, V1PodTemplateSpec pod, StoragePlan storage)
    {
        _ = storage;
        context.Claim(unit.Kind.ToString(), unit.Name, $"service '{unit.ComposeName}'", unit.Node.Location, $"services.{unit.ComposeName}");
        var meta = context.Meta(unit.Name, unit.Labels);
        var selector = new V1LabelSelector { MatchLabels = ConversionContext.Sorted(unit.Selector) };
        context.Add(new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = meta,
            Spec = new V1DeploymentSpec { Replicas = 1, Selector = selector, Template = pod },
        });
    }
}
