using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>
/// Mounts a service's secrets and configs at their Compose targets without subPath, so updated Secrets and
/// ConfigMaps reach running pods (kubelet never refreshes subPath mounts). All resources whose targets share
/// a directory become one projected volume mounted at that directory, with one item per file and the file's
/// mode. The cost: the directory shows only these files; a target directly under <c>/</c> cannot be mounted
/// this way and falls back to subPath, with a warning.
/// </summary>
internal static class ResourceMounts
{
    // Docker's default file mode for secrets and configs (0444).
    private const int DefaultMode = 292;

    public static (IReadOnlyList<V1Volume> Volumes, IReadOnlyList<V1VolumeMount> Mounts) Build(ConversionContext context, ServiceUnit unit, ResourceCatalog catalog)
    {
        var files = new List<(string Dir, string File, V1VolumeProjection Projection, string Key, Compose.Diagnostics.SourceLocation Location)>();
        Collect(context, unit, catalog, "secrets", isSecret: true, files);
        Collect(context, unit, catalog, "configs", isSecret: false, files);

        var volumes = new List<V1Volume>();
        var mounts = new List<V1VolumeMount>();
        var index = 0;
        foreach (var group in Ordering.Stable(files.GroupBy(f => f.Dir), static (a, b) => string.CompareOrdinal(a.Key, b.Key)))
        {
            if (group.Key == "/")
            {
                foreach (var file in group)
                {
                    var name = $"res-{++index}";
                    volumes.Add(new V1Volume { Name = name, Projected = new V1ProjectedVolumeSource { DefaultMode = DefaultMode, Sources = [file.Projection] } });
                    mounts.Add(new V1VolumeMount { Name = name, MountPath = "/" + file.File, SubPath = file.File, ReadOnlyProperty = true });
                    context.Fidelity.Approximated(unit.ComposeName, file.Key, $"target /{file.File} is directly under '/', so it is mounted with subPath and updates do not reach running pods; choose a target in its own directory", file.Location);
                }

                continue;
            }

            var volumeName = $"res-{++index}";
            volumes.Add(new V1Volume { Name = volumeName, Projected = new V1ProjectedVolumeSource { DefaultMode = DefaultMode, Sources = [.. group.Select(f => f.Projection)] } });
            mounts.Add(new V1VolumeMount { Name = volumeName, MountPath = group.Key, ReadOnlyProperty = true });
        }

        return (volumes, mounts);
    }

    private static void Collect(
        ConversionContext context,
        ServiceUnit unit,
        ResourceCatalog catalog,
        string key,
        bool isSecret,
        List<(string Dir, string File, V1VolumeProjection Projection, string Key, Compose.Diagnostics.SourceLocation Location)> files)
    {
        if (unit.Node.Seq(key) is not { } list)
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not MappingNode reference || reference.Str("source") is not { } source)
            {
                continue;
            }

            var itemKey = $"{key}[{i}]";
            var refs = isSecret ? catalog.Secrets : catalog.Configs;
            if (!refs.TryGetValue(source, out var resource))
            {
                continue;
            }

            var target = reference.Str("target") ?? (isSecret ? source : "/" + source);
            if (!target.StartsWith('/'))
            {
                // Compose puts relative secret targets under /run/secrets.
                target = (isSecret ? "/run/secrets/" : "/") + target;
            }

            var slash = target.LastIndexOf('/');
            var dir = slash <= 0 ? "/" : target[..slash];
            var file = target[(slash + 1)..];
            var mode = reference.Int("mode") is { } m ? (int?)m : null;
            var items = new List<V1KeyToPath> { new() { Key = resource.DataKey, Path = file, Mode = mode } };
            var projection = isSecret
                ? new V1VolumeProjection { Secret = new V1SecretProjection { Name = resource.ObjectName, Items = items } }
                : new V1VolumeProjection { ConfigMap = new V1ConfigMapProjection { Name = resource.ObjectName, Items = items } };
            files.Add((dir, file, projection, itemKey, reference.Location));

            if (reference.ContainsKey("uid") || reference.ContainsKey("gid"))
            {
                context.Fidelity.Unsupported(unit.ComposeName, $"{itemKey}.uid", "Kubernetes cannot set a file's owner in a Secret or ConfigMap volume (pod securityContext.fsGroup sets the group of all volumes)", reference.LocationOf(reference.ContainsKey("uid") ? "uid" : "gid"));
            }

            if (dir != "/")
            {
                context.Fidelity.Mapped(unit.ComposeName, itemKey, $"{(isSecret ? "Secret" : "ConfigMap")} '{resource.ObjectName}' key '{resource.DataKey}' at {target}", reference.Location);
            }
        }
    }
}
