using System.Collections.Immutable;
using Berth.Compose;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using Berth.Stacks;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Storage;

/// <summary>
/// Decides the workload kind of every service and where its volumes live. A named volume mounted by one
/// replicated service becomes a claim template of that service's StatefulSet (one volume per replica, like
/// Swarm's per-task local volumes); a named volume mounted by several services (or by a Deployment or Job)
/// becomes one shared PVC, because a claim template cannot be shared between workloads. A global service's
/// named volume becomes a hostPath per node, which is what Docker's local driver gives each Swarm node.
/// </summary>
internal static class StoragePlanner
{
    /// <summary>Where Docker-local-driver-like per-node volumes of DaemonSets live on each node.</summary>
    public const string NodeVolumeRoot = "/var/lib/berth/volumes";

    public static StoragePlan Plan(ConversionContext context, IReadOnlyList<ServiceUnit> units)
    {
        var byName = units.ToDictionary(u => u.ComposeName, StringComparer.Ordinal);
        var mountsByService = units.ToDictionary(u => u.ComposeName, u => EffectiveVolumes(context, u, byName), StringComparer.Ordinal);

        // How many services mount each named volume (volumes_from counts as mounting).
        var users = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (service, items) in mountsByService)
        {
            foreach (var item in items.Where(i => i.Node.Str("type") == "volume" && i.Node.Str("source") is { Length: > 0 }))
            {
                var source = item.Node.Str("source")!;
                if (!users.TryGetValue(source, out var set))
                {
                    users[source] = set = new HashSet<string>(StringComparer.Ordinal);
                }

                set.Add(service);
            }
        }

        var planned = new List<ServiceUnit>();
        var storage = ImmutableDictionary.CreateBuilder<string, ServiceStorage>(StringComparer.Ordinal);
        var sharedClaims = new SortedDictionary<string, (string Claim, ClaimSettings Settings)>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            var items = mountsByService[unit.ComposeName];
            var hasExclusive = items.Any(i => i.Node.Str("type") == "volume" && i.Node.Str("source") is { Length: > 0 } s && users[s].Count == 1 && !IsExternal(context.Project.Volumes[s] as MappingNode));
            var kind = WorkloadKindFor(context, unit, hasExclusive);
            var withKind = unit with { Kind = kind };
            planned.Add(withKind);
            storage[unit.ComposeName] = BuildServiceStorage(context, withKind, items, users, sharedClaims);
        }

        foreach (var (_, (claim, settings)) in sharedClaims)
        {
            context.Add(new V1PersistentVolumeClaim
            {
                ApiVersion = "v1",
                Kind = "PersistentVolumeClaim",
                Metadata = context.Meta(claim),
                Spec = settings.ToSpec(),
            });
        }

        return new StoragePlan([.. planned], storage.ToImmutable());
    }

    private static bool IsExternal(MappingNode? volume) => volume?.Bool("external") == true;

    /// <summary>A size that is not a Kubernetes quantity is an error at the volume (found by fuzzing: it used to end in an internal error).</summary>
    private static ClaimSettings CheckedClaim(ConversionContext context, ClaimSettings settings, SourceLocation location, string source)
    {
        if (settings.HasValidSize)
        {
            return settings;
        }

        context.Diagnostics.Error(KubernetesDiagnosticCodes.InvalidValue, $"volume size '{settings.Size}' is not a Kubernetes quantity", location, $"volumes.{source}", "write a size such as 10Gi or 500Mi (x-kubernetes.size, driver_opts.size or the kompose.volume.size label)");
        return settings with { Size = ClaimSettings.DefaultSize };
    }

    private static WorkloadKind WorkloadKindFor(ConversionContext context, ServiceUnit unit, bool hasExclusiveVolume)
    {
        var deploy = unit.Node.Map("deploy");
        var mode = deploy?.Str("mode") ?? "replicated";
        switch (unit.Settings.ControllerType)
        {
            case "deployment":
                return WorkloadKind.Deployment;
            case "daemonset":
                return WorkloadKind.DaemonSet;
            case "statefulset":
                return WorkloadKind.StatefulSet;
            case null:
                break;
            default:
                context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidValue, $"controller type '{unit.Settings.ControllerType}' is not deployment, daemonset or statefulset; chosen from the service instead", unit.Node.LocationOf("labels"), $"services.{unit.ComposeName}.labels");
                break;
        }

        return mode switch
        {
            "global" => WorkloadKind.DaemonSet,
            "replicated-job" or "global-job" => WorkloadKind.Job,
            _ => hasExclusiveVolume ? WorkloadKind.StatefulSet : WorkloadKind.Deployment,
        };
    }

    /// <summary>The service's own volumes plus those it takes with <c>volumes_from</c> (read-only when asked).</summary>
    private static List<VolumeItem> EffectiveVolumes(ConversionContext context, ServiceUnit unit, Dictionary<string, ServiceUnit> byName)
    {
        var result = new List<VolumeItem>();
        if (unit.Node.Seq("volumes") is { } own)
        {
            for (var i = 0; i < own.Count; i++)
            {
                if (own[i] is MappingNode m)
                {
                    result.Add(new VolumeItem(m, $"volumes[{i}]", false));
                }
            }
        }

        var targets = new HashSet<string>(result.Select(r => r.Node.Str("target") ?? string.Empty), StringComparer.Ordinal);
        AddVolumesFrom(context, unit, unit, byName, false, [unit.ComposeName], targets, result, null);
        return result;
    }

    /// <summary>
    /// Docker's volumes_from copies every mount of the other container, including those it took with volumes_from
    /// itself, so the walk is transitive; a target the service already mounts keeps its own volume. Named volumes and
    /// bind mounts can be shared by pods; an anonymous volume belongs to one container, so it is reported.
    /// </summary>
    private static void AddVolumesFrom(ConversionContext context, ServiceUnit unit, ServiceUnit from, Dictionary<string, ServiceUnit> byName, bool readOnlyChain, HashSet<string> visited, HashSet<string> targets, List<VolumeItem> result, (string Key, Compose.Diagnostics.SourceLocation Location)? root)
    {
        var items = from.Node.Seq("volumes_from")?.Items.OfType<ScalarNode>().ToList() ?? [];
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];

            // Reported at the service's own volumes_from entry, also for volumes reached through another service.
            var (key, location) = root ?? ($"volumes_from[{index}]", item.Location);
            var text = item.AsString();
            var parts = text.Split(':');
            var readOnly = readOnlyChain || (parts.Length > 1 && parts[^1] == "ro");
            var name = parts[0] == "service" && parts.Length > 1 ? parts[1] : parts[0];
            if (parts[0] == "container" || !byName.TryGetValue(name, out var other))
            {
                if (from == unit)
                {
                    context.Fidelity.Unsupported(unit.ComposeName, "volumes_from", $"'{text}' names a container, not a service of this project", item.Location);
                }

                continue;
            }

            if (!visited.Add(other.ComposeName))
            {
                continue;
            }

            foreach (var m in other.Node.Seq("volumes")?.Items.OfType<MappingNode>() ?? [])
            {
                var target = m.Str("target") ?? string.Empty;
                if (!targets.Add(target))
                {
                    continue;
                }

                if (m.Str("type") is "volume" or "bind" && m.Str("source") is { Length: > 0 })
                {
                    result.Add(new VolumeItem(m, "volumes_from", readOnly || m.Bool("read_only")));
                }
                else
                {
                    context.Fidelity.Unsupported(unit.ComposeName, key, $"'{other.ComposeName}' mounts an anonymous or tmpfs volume at {target}: it belongs to that service's pods and cannot be shared (use a named volume)", location);
                }
            }

            AddVolumesFrom(context, unit, other, byName, readOnly, visited, targets, result, (key, location));
        }
    }

    private static ServiceStorage BuildServiceStorage(
        ConversionContext context,
        ServiceUnit unit,
        List<VolumeItem> items,
        Dictionary<string, HashSet<string>> users,
        SortedDictionary<string, (string Claim, ClaimSettings Settings)> sharedClaims)
    {
        var volumes = new SortedDictionary<string, V1Volume>(StringComparer.Ordinal);
        var mounts = new List<V1VolumeMount>();
        var templates = new SortedDictionary<string, V1PersistentVolumeClaim>(StringComparer.Ordinal);
        var service = unit.ComposeName;
        var index = 0;
        foreach (var item in items)
        {
            index++;
            var node = item.Node;
            var type = node.Str("type") ?? "volume";
            var target = node.Str("target") ?? string.Empty;
            var source = node.Str("source");
            var location = node.Location;
            string volumeName;
            switch (type)
            {
                case "volume" when string.IsNullOrEmpty(source):
                    // Anonymous volumes live as long as the container in Docker; emptyDir lives as long as the pod.
                    volumeName = $"anon-{index}";
                    volumes[volumeName] = new V1Volume { Name = volumeName, EmptyDir = new V1EmptyDirVolumeSource() };
                    break;
                case "volume":
                    volumeName = DnsNames.ToDns1035Label(source!);
                    var top = context.Project.Volumes[source!] as MappingNode;
                    if (IsExternal(top))
                    {
                        var claim = top!.Str("name") ?? source!;
                        if (!DnsNames.IsDns1123Subdomain(claim))
                        {
                            context.Diagnostics.Error(KubernetesDiagnosticCodes.InvalidName, $"external volume '{claim}' is not a valid PersistentVolumeClaim name", top!.Location, $"volumes.{source}");
                        }

                        volumes[volumeName] = new V1Volume { Name = volumeName, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } };
                        context.Fidelity.Mapped(service, item.Key, $"existing PersistentVolumeClaim '{claim}' (external, not created)", location);
                    }
                    else if (unit.Kind == WorkloadKind.DaemonSet)
                    {
                        var path = $"{NodeVolumeRoot}/{context.Namespace}/{DnsNames.ToDns1123Subdomain(top?.Str("name") ?? source!)}";
                        volumes[volumeName] = new V1Volume { Name = volumeName, HostPath = new V1HostPathVolumeSource { Path = path, Type = "DirectoryOrCreate" } };
                        context.Fidelity.Approximated(service, item.Key, $"a global service gets one volume per node like Docker's local driver: hostPath {path}", location);
                    }
                    else if (unit.Kind == WorkloadKind.StatefulSet && users[source!].Count == 1)
                    {
                        var settings = CheckedClaim(context, ClaimSettings.For(top, unit.Settings), top?.Location ?? location, source!);
                        templates[volumeName] = new V1PersistentVolumeClaim
                        {
                            ApiVersion = "v1",
                            Kind = "PersistentVolumeClaim",
                            Metadata = new V1ObjectMeta { Name = volumeName, Labels = ConversionContext.Sorted(unit.Selector) },
                            Spec = settings.ToSpec(),
                        };
                        context.Fidelity.Mapped(service, item.Key, $"StatefulSet volume claim template '{volumeName}' ({settings.Size}, {settings.AccessMode}), one claim per replica", location);
                    }
                    else
                    {
                        var claim = DnsNames.ToDns1123Subdomain(top?.Str("name") ?? $"{context.Stack}_{source}");
                        var settings = ClaimSettings.For(top, unit.Settings);
                        if (!sharedClaims.ContainsKey(source!))
                        {
                            settings = CheckedClaim(context, settings, top?.Location ?? location, source!);
                            context.Claim("PersistentVolumeClaim", claim, $"volume '{source}'", top?.Location ?? location, $"volumes.{source}");
                            sharedClaims[source!] = (claim, settings);
                        }

                        volumes[volumeName] = new V1Volume { Name = volumeName, PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } };
                        if (users[source!].Count > 1 && sharedClaims[source!].Settings.AccessMode == "ReadWriteOnce")
                        {
                            context.Fidelity.Approximated(service, item.Key, $"shared PersistentVolumeClaim '{claim}' with ReadWriteOnce: the pods of {string.Join(", ", users[source!].Order(StringComparer.Ordinal))} must run on one node; set x-kubernetes.access_mode: ReadWriteMany on the volume if the storage class supports it", location);
                        }
                        else
                        {
                            context.Fidelity.Mapped(service, item.Key, $"PersistentVolumeClaim '{claim}'", location);
                        }
                    }

                    break;
                case "bind":
                    volumeName = $"bind-{index}";
                    var create = node.Map("bind")?.Bool("create_host_path") == true;
                    volumes[volumeName] = new V1Volume { Name = volumeName, HostPath = new V1HostPathVolumeSource { Path = source ?? string.Empty, Type = create ? "DirectoryOrCreate" : null } };
                    context.Fidelity.Approximated(service, item.Key, $"hostPath {source}: the path is read on whichever node runs the pod, not on the machine that ran berth", location);
                    break;
                case "tmpfs":
                    volumeName = $"tmpfs-{index}";
                    var size = node.Map("tmpfs")?.Int("size");
                    volumes[volumeName] = new V1Volume { Name = volumeName, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = size is { } s ? Quantities.Bytes(s) : null } };
                    if (node.Map("tmpfs")?.ContainsKey("mode") == true)
                    {
                        context.Fidelity.Unsupported(service, $"{item.Key}.tmpfs.mode", "emptyDir permissions cannot be set", node.Map("tmpfs")!.LocationOf("mode"));
                    }

                    break;
                default:
                    context.Fidelity.Unsupported(service, item.Key, $"volume type '{type}' has no Kubernetes equivalent", location);
                    continue;
            }

            mounts.Add(new V1VolumeMount
            {
                Name = volumeName,
                MountPath = target,
                ReadOnlyProperty = item.ReadOnly || node.Bool("read_only") ? true : null,
                // kompose.volume.subpath applies to the service's named volumes; the mount's own volume.subpath wins.
                SubPath = node.Map("volume")?.Str("subpath") ?? (type == "volume" && !string.IsNullOrEmpty(source) ? unit.Settings.VolumeSubPath : null),
                MountPropagation = Propagation(context, service, item.Key, node.Map("bind")),
            });
            ReportMountDetails(context, service, item.Key, node);
        }

        AddTmpfs(context, unit, volumes, mounts);
        AddShm(unit, volumes, mounts);
        return new ServiceStorage([.. volumes.Values], [.. Ordering.Stable(mounts, static (a, b) => string.CompareOrdinal(a.MountPath, b.MountPath))], [.. templates.Values]);
    }

    private static string? Propagation(ConversionContext context, string service, string key, MappingNode? bind)
    {
        var propagation = bind?.Str("propagation");
        switch (propagation)
        {
            case null:
                return null;
            case "rshared" or "shared":
                return "Bidirectional";
            case "rslave" or "slave":
                return "HostToContainer";
            case "private" or "rprivate":
                return "None";
            default:
                context.Fidelity.Unsupported(service, $"{key}.bind.propagation", $"propagation '{propagation}' has no Kubernetes equivalent", bind!.LocationOf("propagation"));
                return null;
        }
    }

    private static void ReportMountDetails(ConversionContext context, string service, string key, MappingNode node)
    {
        if (node.Map("bind")?.ContainsKey("selinux") == true)
        {
            context.Fidelity.Unsupported(service, $"{key}.bind.selinux", "SELinux relabelling of host paths is done with securityContext.seLinuxOptions", node.Map("bind")!.LocationOf("selinux"));
        }

        if (node.Map("volume")?.ContainsKey("nocopy") == true)
        {
            context.Fidelity.Ignored(service, $"{key}.volume.nocopy", "Kubernetes never copies image content into a volume", node.Map("volume")!.LocationOf("nocopy"));
        }

        if (node.ContainsKey("consistency"))
        {
            context.Fidelity.Ignored(service, $"{key}.consistency", "mount consistency only applies to Docker Desktop file sharing", node.LocationOf("consistency"));
        }
    }

    private static void AddTmpfs(ConversionContext context, ServiceUnit unit, SortedDictionary<string, V1Volume> volumes, List<V1VolumeMount> mounts)
    {
        var i = 0;
        foreach (var entry in unit.Node.Strings("tmpfs"))
        {
            i++;
            var parts = entry.Split(':', 2);
            string? size = null;
            if (parts.Length > 1)
            {
                foreach (var option in parts[1].Split(','))
                {
                    if (option.StartsWith("size=", StringComparison.Ordinal))
                    {
                        size = Quantities.FromDockerSize(option[5..]);
                    }
                    else if (option.Length > 0)
                    {
                        context.Fidelity.Unsupported(unit.ComposeName, $"tmpfs[{i - 1}]", $"tmpfs option '{option}' cannot be set on an emptyDir", unit.Node.LocationOf("tmpfs"));
                    }
                }
            }

            var name = $"tmpfs-s{i}";
            volumes[name] = new V1Volume { Name = name, EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = size is null ? null : new ResourceQuantity(size) } };
            mounts.Add(new V1VolumeMount { Name = name, MountPath = parts[0] });
        }
    }

    private static void AddShm(ServiceUnit unit, SortedDictionary<string, V1Volume> volumes, List<V1VolumeMount> mounts)
    {
        if (unit.Node.Int("shm_size") is not { } bytes)
        {
            return;
        }

        volumes["shm"] = new V1Volume { Name = "shm", EmptyDir = new V1EmptyDirVolumeSource { Medium = "Memory", SizeLimit = Quantities.Bytes(bytes) } };
        mounts.Add(new V1VolumeMount { Name = "shm", MountPath = "/dev/shm" });
    }

    private sealed record VolumeItem(MappingNode Node, string Key, bool ReadOnly);
}
