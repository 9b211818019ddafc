using System.Collections.Immutable;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>
/// Kubernetes settings a service carries outside the Compose spec: the compose-on-kubernetes
/// <c>x-kubernetes</c> extension and kompose's <c>kompose.*</c> labels, so files written for either tool
/// convert without edits. When both give a value, <c>x-kubernetes</c> wins.
/// </summary>
internal sealed record ServiceSettings
{
    public ImmutableArray<string> PullSecrets { get; init; } = [];

    public string? PullPolicy { get; init; }

    /// <summary>ClusterIP, Headless or Auto (compose-on-kubernetes <c>internal_service_type</c>).</summary>
    public string? InternalServiceType { get; init; }

    /// <summary>kompose.service.type: clusterip, nodeport, loadbalancer, headless.</summary>
    public string? ServiceType { get; init; }

    public int? NodePort { get; init; }

    /// <summary>kompose.service.expose: "true" or a comma list of host[/path].</summary>
    public string? Expose { get; init; }

    public string? ExposeTlsSecret { get; init; }

    public string? IngressClassName { get; init; }

    public string? VolumeSize { get; init; }

    public string? StorageClass { get; init; }

    /// <summary>kompose.volume.subpath: the subPath of every named-volume mount of the service.</summary>
    public string? VolumeSubPath { get; init; }

    /// <summary>kompose.security-context.fsgroup: the pod's fsGroup (ownership of mounted volumes).</summary>
    public long? FsGroup { get; init; }

    /// <summary>kompose.init.containers.image (with .name and .command): one init container run before the service's.</summary>
    public string? InitImage { get; init; }

    public string? InitName { get; init; }

    public string? InitCommand { get; init; }

    /// <summary>deployment, daemonset, statefulset (kompose.controller.type).</summary>
    public string? ControllerType { get; init; }

    public int? HpaCpu { get; init; }

    public int? HpaMemory { get; init; }

    public int? HpaMin { get; init; }

    public int? HpaMax { get; init; }

    public int? RevisionHistoryLimit { get; init; }

    public bool HasHpa => HpaCpu is not null || HpaMemory is not null || HpaMin is not null || HpaMax is not null;
}
