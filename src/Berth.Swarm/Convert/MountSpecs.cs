using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>Service volumes and tmpfs as Swarm mounts.</summary>
internal static class MountSpecs
{
    public static List<Mount>? Mounts(ConversionContext context, MappingNode service, string path)
    {
        var result = new List<Mount>();
        if (service.Seq("volumes") is { } volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i] is MappingNode volume && Mount(context, volume, $"{path}.volumes[{i}]") is { } mount)
                {
                    result.Add(mount);
                }
            }
        }

        // The service-level tmpfs key: docker stack drops it silently; Swarm can honour it as tmpfs mounts.
        foreach (var tmpfs in service.Strings("tmpfs") ?? [])
        {
            var target = tmpfs.Split(':', 2)[0];
            result.Add(new Mount { Type = "tmpfs", Target = target });
            if (tmpfs.Contains(':', StringComparison.Ordinal))
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Approximated, $"tmpfs options in '{tmpfs}' are ignored; use a long-syntax tmpfs volume with tmpfs.size", service["tmpfs"]!.Location, path + ".tmpfs");
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static Mount? Mount(ConversionContext context, MappingNode volume, string path)
    {
        var type = volume.Str("type") ?? "volume";
        var source = volume.Str("source");
        var mount = new Mount
        {
            Type = type,
            Target = volume.Str("target"),
            ReadOnly = volume.Bool("read_only") == true ? true : null,
            Consistency = volume.Str("consistency"),
        };
        switch (type)
        {
            case "volume":
                if (string.IsNullOrEmpty(source))
                {
                    return mount;
                }

                if (context.Project.Volumes.Map(source) is not { } declared && !context.Project.Volumes.ContainsKey(source))
                {
                    context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined volume '{source}'", volume.Location, path + ".source");
                    return null;
                }
                else
                {
                    declared = context.Project.Volumes.Map(source) ?? MappingNode.Empty(volume.Location);
                    var options = volume.Map("volume");
                    if (declared.Bool("external") == true)
                    {
                        mount.Source = declared.Str("name") ?? source;
                        mount.VolumeOptions = options?.Bool("nocopy") == true ? new VolumeOptions { NoCopy = true } : null;
                        return mount;
                    }

                    mount.Source = context.ScopedName(source, declared);
                    mount.VolumeOptions = new VolumeOptions
                    {
                        Labels = LabelMaps.Labels(declared.StringMap("labels"), context.Stack),
                        NoCopy = options?.Bool("nocopy") == true ? true : null,
                        Subpath = options?.Str("subpath"),
                        DriverConfig = declared.Str("driver") is { } driver
                            ? new Driver { Name = driver, Options = LabelMaps.Sorted(declared.StringMap("driver_opts")) }
                            : null,
                    };
                    return mount;
                }

            case "bind":
                mount.Source = source;
                if (volume.Map("bind") is { } bind)
                {
                    if (bind.Str("propagation") is { } propagation)
                    {
                        mount.BindOptions = new BindOptions { Propagation = propagation };
                    }

                    if (bind.Str("selinux") is { } && bind["selinux"] is { } selinux)
                    {
                        context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, "bind.selinux relabelling is not supported by Swarm and is ignored", selinux.Location, path + ".bind.selinux");
                    }
                }

                return mount;
            case "tmpfs":
                if (volume.Map("tmpfs") is { } tmpfs)
                {
                    mount.TmpfsOptions = new TmpfsOptions
                    {
                        SizeBytes = tmpfs.Int("size"),
                        Mode = tmpfs.Int("mode") is { } m ? (uint)m : null,
                    };
                }

                return mount;
            case "npipe" or "cluster":
                mount.Source = source;
                return mount;
            default:
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"volume type '{type}' is not supported by Swarm and is ignored", volume.Location, path + ".type");
                return null;
        }
    }
}
