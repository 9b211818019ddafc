using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert;

/// <summary>
/// The result of a conversion: the objects in apply order (see <see cref="KubernetesManifestWriter"/>),
/// the diagnostics (errors mean the plan must not be applied) and the fidelity report.
/// </summary>
public sealed record KubernetesPlan(
    ImmutableArray<IKubernetesObject<V1ObjectMeta>> Objects,
    ImmutableArray<Diagnostic> Diagnostics,
    ImmutableArray<FidelityEntry> Fidelity)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == Severity.Error);
}
