using System.Collections.Immutable;

namespace Berth.Compose.Loading;

/// <summary>Finds the Compose files to load when none are named, the way docker compose does.</summary>
public static class ComposeFileDiscovery
{
    /// <summary>Default names, in order of preference.</summary>
    public static ImmutableArray<string> DefaultNames { get; } = ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

    /// <summary>
    /// Looks in <paramref name="directory"/> and then its parents for a default file; returns it with its
    /// <c>.override</c> companion when there is one, or an empty list.
    /// </summary>
    public static ImmutableArray<string> Discover(string directory)
    {
        for (var dir = new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            foreach (var name in DefaultNames)
            {
                var candidate = Path.Combine(dir.FullName, name);
                if (!File.Exists(candidate))
                {
                    continue;
                }

                var stem = Path.GetFileNameWithoutExtension(name);
                var ext = Path.GetExtension(name);
                var overrides = new[] { $"{stem}.override{ext}", $"{stem}.override{(ext == ".yml" ? ".yaml" : ".yml")}" }
                    .Select(o => Path.Combine(dir.FullName, o))
                    .FirstOrDefault(File.Exists);
                return overrides is null ? [candidate] : [candidate, overrides];
            }
        }

        return [];
    }
}
