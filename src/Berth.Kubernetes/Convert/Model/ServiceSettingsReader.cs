using System.Globalization;
using Berth.Compose.Yaml;

namespace Berth.Kubernetes.Convert.Model;

/// <summary>Reads <see cref="ServiceSettings"/> from a service's <c>x-kubernetes</c> extension and <c>kompose.*</c> labels.</summary>
internal static class ServiceSettingsReader
{
    public const string KomposePrefix = "kompose.";

    /// <summary>The kompose labels Berth applies; any other kompose.* label is reported as unsupported.</summary>
    public static readonly IReadOnlySet<string> KnownKomposeLabels = new HashSet<string>(StringComparer.Ordinal)
    {
        "kompose.service.type", "kompose.service.nodeport.port", "kompose.service.expose", "kompose.service.expose.tls-secret",
        "kompose.service.expose.ingress-class-name", "kompose.volume.size", "kompose.volume.storage-class-name",
        "kompose.controller.type", "kompose.image-pull-secret", "kompose.image-pull-policy",
        "kompose.hpa.cpu", "kompose.hpa.memory", "kompose.hpa.replicas.min", "kompose.hpa.replicas.max",
        "kompose.volume.subpath", "kompose.security-context.fsgroup",
        "kompose.init.containers.name", "kompose.init.containers.image", "kompose.init.containers.command",
    };

    public static ServiceSettings Read(MappingNode service)
    {
        var labels = service.StringMap("labels").ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var x = service.Map("x-kubernetes") ?? MappingNode.Empty(service.Location);
        string? Label(string key) => labels.TryGetValue(key, out var v) && v.Length > 0 ? v : null;
        int? IntLabel(string key) => int.TryParse(Label(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

        var pullSecrets = new List<string>();
        if (x.Str("pull_secret") is { Length: > 0 } xs)
        {
            pullSecrets.Add(xs);
        }

        if (Label("kompose.image-pull-secret") is { } ks && !pullSecrets.Contains(ks))
        {
            pullSecrets.Add(ks);
        }

        return new ServiceSettings
        {
            PullSecrets = [.. pullSecrets],
            PullPolicy = x.Str("pull_policy") ?? Label("kompose.image-pull-policy"),
            InternalServiceType = x.Str("internal_service_type"),
            ServiceType = Label("kompose.service.type")?.ToLowerInvariant(),
            NodePort = IntLabel("kompose.service.nodeport.port"),
            Expose = Label("kompose.service.expose"),
            ExposeTlsSecret = Label("kompose.service.expose.tls-secret"),
            IngressClassName = Label("kompose.service.expose.ingress-class-name"),
            VolumeSize = Label("kompose.volume.size"),
            StorageClass = Label("kompose.volume.storage-class-name"),
            VolumeSubPath = Label("kompose.volume.subpath"),
            FsGroup = long.TryParse(Label("kompose.security-context.fsgroup"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fsGroup) ? fsGroup : null,
            InitImage = Label("kompose.init.containers.image"),
            InitName = Label("kompose.init.containers.name"),
            InitCommand = Label("kompose.init.containers.command"),
            ControllerType = (x.Str("controller_type") ?? Label("kompose.controller.type"))?.ToLowerInvariant(),
            HpaCpu = IntLabel("kompose.hpa.cpu"),
            HpaMemory = IntLabel("kompose.hpa.memory"),
            HpaMin = IntLabel("kompose.hpa.replicas.min"),
            HpaMax = IntLabel("kompose.hpa.replicas.max"),
            RevisionHistoryLimit = x.Int("revision_history_limit") is { } r ? (int)r : null,
        };
    }
}
