using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Workloads;

/// <summary>
/// kompose.hpa.* labels → autoscaling/v2 HorizontalPodAutoscaler with kompose's defaults (cpu 50%, memory 70%
/// when only the other is absent, replicas 1..3), targeting the service's actual workload (kompose always
/// targets a Deployment). Percentages outside 1–100 are reported and the default used.
/// </summary>
internal static class Autoscaling
{
    public static void Build(ConversionContext context, ServiceUnit unit)
    {
        var settings = unit.Settings;
        if (!settings.HasHpa)
        {
            return;
        }

        var location = unit.Node.Map("labels")?.Location ?? unit.Node.Location;
        if (unit.Kind is WorkloadKind.DaemonSet or WorkloadKind.Job)
        {
            context.Fidelity.Unsupported(unit.ComposeName, "labels.kompose.hpa", $"a {unit.Kind.Name()} cannot be scaled", location);
            return;
        }

        int Percent(int? value, int fallback, string key)
        {
            if (value is null or (>= 1 and <= 100))
            {
                return value ?? fallback;
            }

            context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidValue, $"{key} {value} is not a percentage 1-100; {fallback} is used", location, $"services.{unit.ComposeName}.labels.{key}");
            return fallback;
        }

        var metrics = new List<V2MetricSpec>();
        var cpu = Percent(settings.HpaCpu, 50, "kompose.hpa.cpu");
        var memory = Percent(settings.HpaMemory, 70, "kompose.hpa.memory");
        if (settings.HpaCpu is not null || settings.HpaMemory is null)
        {
            metrics.Add(Metric("cpu", cpu));
        }

        if (settings.HpaMemory is not null || settings.HpaCpu is null)
        {
            metrics.Add(Metric("memory", memory));
        }

        var min = Math.Max(1, settings.HpaMin ?? 1);
        var max = Math.Max(min, settings.HpaMax ?? 3);
        context.Claim("HorizontalPodAutoscaler", unit.Name, $"service '{unit.ComposeName}'", location, $"services.{unit.ComposeName}.labels");
        context.Add(new V2HorizontalPodAutoscaler
        {
            ApiVersion = "autoscaling/v2",
            Kind = "HorizontalPodAutoscaler",
            Metadata = context.Meta(unit.Name, unit.Labels),
            Spec = new V2HorizontalPodAutoscalerSpec
            {
                ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = unit.Kind.Name(), Name = unit.Name },
                MinReplicas = min,
                MaxReplicas = max,
                Metrics = metrics,
            },
        });
    }

    private static V2MetricSpec Metric(string resource, int percent) => new()
    {
        Type = "Resource",
        Resource = new V2ResourceMetricSource { Name = resource, Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = percent } },
    };
}
