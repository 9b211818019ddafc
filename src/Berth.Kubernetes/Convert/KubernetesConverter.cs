using Berth.Compose;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Fidelity;
using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Pod;
using Berth.Kubernetes.Convert.Services;
using Berth.Kubernetes.Convert.Storage;
using Berth.Kubernetes.Convert.Workloads;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Convert;

/// <summary>
/// Converts a loaded Compose project into the Kubernetes objects an expert would write by hand.
/// Pure: no I/O, no clock, and the same input always gives the same output in the same order.
/// </summary>
public static class KubernetesConverter
{
    public static KubernetesPlan Convert(ComposeProject project, KubernetesConvertOptions options)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(options);
        var context = new ConversionContext(project, options);

        if (!DnsNames.IsDns1123Label(options.Namespace))
        {
            context.Diagnostics.Error(KubernetesDiagnosticCodes.InvalidName, $"'{options.Namespace}' is not a valid namespace name", Compose.Diagnostics.SourceLocation.None, null, "use lower-case letters, digits and '-', at most 63 characters");
        }
        else if (options.Namespace != "default")
        {
            context.Add(new V1Namespace { ApiVersion = "v1", Kind = "Namespace", Metadata = new V1ObjectMeta { Name = options.Namespace, Labels = ConversionContext.Sorted(context.StackLabels()) } });
        }

        var units = new List<ServiceUnit>();
        foreach (var entry in Ordering.Stable(project.Services.Entries, static (a, b) => string.CompareOrdinal(a.Name, b.Name)))
        {
            if (entry.Value is MappingNode service)
            {
                units.Add(ServiceUnitFactory.Create(context, entry.Name, service));
            }
        }

        var storage = StoragePlanner.Plan(context, units);
        var catalog = ResourceObjects.Build(context);
        foreach (var unit in storage.Units)
        {
            var pod = PodBuilder.Build(context, unit, storage, catalog);
            WorkloadBuilder.Build(context, unit, pod, storage);
            ServiceBuilder.Build(context, unit);
            Autoscaling.Build(context, unit);
        }

        NetworkPolicies.Build(context, storage.Units);
        TopLevelFidelity.Report(context);
        foreach (var unit in storage.Units)
        {
            ReportRemainingKeys(context, unit);
        }

        return new KubernetesPlan(
            [.. ObjectOrder.Sort(context.Objects)],
            context.Diagnostics.ToImmutable(),
            [.. context.Fidelity.Entries()]);
    }

    /// <summary>Every key a handler did not report gets its table rule, so no key goes unreported.</summary>
    private static void ReportRemainingKeys(ConversionContext context, ServiceUnit unit)
    {
        foreach (var entry in unit.Node.Entries)
        {
            if (!context.Fidelity.Has(unit.ComposeName, entry.Name))
            {
                var rule = ServiceKeyRules.For(entry.Name);
                context.Fidelity.Report(unit.ComposeName, entry.Name, rule.Outcome, rule.Detail, entry.Key.Location);
            }
        }
    }
}
