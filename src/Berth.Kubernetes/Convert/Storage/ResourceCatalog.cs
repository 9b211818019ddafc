using System.Collections.Immutable;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>A top-level secret or config as it exists on Kubernetes: the object's name and the data key holding its content.</summary>
internal sealed record ResourceRef(bool IsSecret, string ComposeKey, string ObjectName, string DataKey, bool External);

/// <summary>Every secret and config of the project, by Compose key.</summary>
internal sealed record ResourceCatalog(ImmutableDictionary<string, ResourceRef> Secrets, ImmutableDictionary<string, ResourceRef> Configs);
