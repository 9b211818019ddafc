using System.Collections.Immutable;

namespace Berth.Kubernetes.Convert;

/// <summary>How to convert a project. Everything the converter needs comes through here or the project: it reads no files.</summary>
public sealed record KubernetesConvertOptions
{
    /// <summary>The namespace every object goes into; a Namespace object is emitted unless it is <c>default</c>.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>The stack name (ownership label); default: the project name.</summary>
    public string? StackName { get; init; }

    public PublishedServiceType PublishedServiceType { get; init; } = PublishedServiceType.LoadBalancer;

    /// <summary>Emit one NetworkPolicy per Compose network so only services on a shared network can talk.</summary>
    public bool NetworkPolicies { get; init; }

    /// <summary>
    /// Contents of the files that top-level secrets and configs name with <c>file:</c>, keyed by the absolute path
    /// the loader resolved. Filled by <see cref="ResourceContentReader"/> (the one place that does I/O) so the
    /// converter stays pure; a file missing here is a conversion error.
    /// </summary>
    public ImmutableDictionary<string, ImmutableArray<byte>> FileContents { get; init; } = ImmutableDictionary<string, ImmutableArray<byte>>.Empty;
}
