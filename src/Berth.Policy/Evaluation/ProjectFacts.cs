using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
using Berth.Policy.Model;

namespace Berth.Policy.Evaluation;

/// <summary>
/// A host folder a service mounts: as written, resolved, the key a violation points at, and whether the mount is
/// read-only. <see cref="Through"/> is empty for a bind, " through volume 'NAME'" for a named volume binding a folder.
/// </summary>
internal sealed record HostMount(string Source, string FullPath, string Through, SourceLocation Location, bool ReadOnly);

/// <summary>
/// What every service check of one evaluation shares, worked out once: the project folder, the allowed bind prefixes
/// resolved against it, and which top-level volumes bind a host folder.
/// </summary>
internal sealed class ProjectFacts(ComposeProject project)
{
    private readonly Dictionary<string, HostMount?> _hostFolderVolumes = new(StringComparer.Ordinal);
    private BindMountRule? _prefixesOf;
    private string[] _resolvedPrefixes = [];

    public bool UnderAllowedPrefix(BindMountRule rule, string path)
    {
        if (!ReferenceEquals(rule, _prefixesOf))
        {
            _resolvedPrefixes = [.. rule.AllowedPrefixes.Select(p => Trim(Path.GetFullPath(p, project.WorkingDirectory)))];
            _prefixesOf = rule;
        }

        foreach (var prefix in _resolvedPrefixes)
        {
            if (prefix == "/" || path == prefix || (path.StartsWith(prefix, StringComparison.Ordinal) && path.Length > prefix.Length && path[prefix.Length] == '/'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The host folder of top-level volume <paramref name="name"/> when the local driver binds one
    /// (<c>driver_opts: {type: none, o: bind, device: /path}</c>; <c>rbind</c> too, read-only with <c>ro</c> in <c>o</c>).
    /// </summary>
    public HostMount? HostFolderVolume(string name)
    {
        if (!_hostFolderVolumes.TryGetValue(name, out var mount))
        {
            mount = ReadHostFolderVolume(name);
            _hostFolderVolumes[name] = mount;
        }

        return mount;
    }

    private HostMount? ReadHostFolderVolume(string name)
    {
        if (project.Volumes[name] is not MappingNode volume
            || ServiceCheck.Text(volume["driver"]) is not (null or "local")
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
        return bind ? new HostMount(path, Trim(Path.GetFullPath(path, project.WorkingDirectory)), $" through volume '{name}'", device.Key.Location, readOnly) : null;
    }

    private static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
