using System.Collections.Immutable;
using Berth.Compose.Yaml;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>One Compose service on its way to Kubernetes: its names, labels and settings, decided once.</summary>
internal sealed record ServiceUnit(
    string ComposeName,
    string Name,
    MappingNode Node,
    ImmutableSortedDictionary<string, string> Selector,
    ImmutableSortedDictionary<string, string> Labels,
    ServiceSettings Settings)
{
    public WorkloadKind Kind { get; init; }
}
