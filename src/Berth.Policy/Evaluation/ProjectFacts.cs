using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Yaml;

namespace Berth.Policy.Evaluation;

/// <summary>
/// A host folder a service mounts: as written, resolved, the key a violation points at, and whether the mount is
/// read-only. <see cref="Through"/> is empty for a bind, " through volume 'NAME'" for a named volume binding a folder.
/// </summary>
internal sealed record HostMount(string Source, string FullPath, string Through, SourceLocation Location, bool ReadOnly);

/// <summary>
/// What every service check of one evaluation shares about the project, worked out once: which top-level volumes
/// bind a host folder.
/// </summary>
internal sealed class ProjectFacts(ComposeProject project)
{
    // Built on first use from the top-level volumes; usually empty, so most services' volumes are one failed lookup.
    private Dictionary<string, HostMount>? _hostFolderVolumes;

    /// <summary>
    /// The host folder of top-level volume <paramref name="name"/> when the local driver binds one
    /// (<c>driver_opts: {type: none, o: bind, device: /path}</c>; <c>rbind</c> too, read-only with <c>ro</c> in <c>o</c>).
    /// </summary>
    public HostMount? HostFolderVolume(string name)
    {
        _hostFolderVolumes ??= ReadHostFolderVolumes();
        return _hostFolderVolumes.Count > 0 && _hostFolderVolumes.TryGetValue(name, out var mount) ? mount : null;
    }

    private Dictionary<string, HostMount> ReadHostFolderVolumes()
    {
        var found = new Dictionary<string, HostMount>(StringComparer.Ordinal);
        foreach (var entry in project.Volumes.Entries)
        {
            if (entry.Value is MappingNode volume && volume["driver_opts"] is MappingNode && ReadHostFolderVolume(entry.Name, volume) is { } mount)
            {
                found[entry.Name] = mount;
            }
        }

        return found;
    }

    private HostMount? ReadHostFolderVolume(string name, MappingNode volume)
    {
        if (ServiceCheck.Text(volume["driver"]) is not (null or "local")
            || volume["driver_opts"] is not MappingNode options
            || ServiceCheck.Text(options["o"]) is not { } mountOptions
            || !options.TryGetEntry("device", out var device) || ServiceCheck.Text(device.Value) is not { Length: > 0 } path)
        {
            return null;
        }

        var bind = false;
        var readOnly = false;
        foreach (var option in mountOptions.Split(',', StringSplitOptions.TrimEntries))
        {
            bind |= option is "bind" or "rbind";
            readOnly |= option == "ro";
        }

        // The local driver hands a relative device to mount(8) as is; resolve it like a bind source for the prefix check.
        return bind ? new HostMount(path, PreparedRules.TrimSlash(Path.GetFullPath(path, project.WorkingDirectory)), $" through volume '{name}'", device.Key.Location, readOnly) : null;
    }
}
