using System.Collections.Immutable;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;

namespace Berth.Kubernetes.Convert;

/// <summary>
/// The one non-pure step before conversion: reads the files top-level secrets and configs name with
/// <c>file:</c>, so the converter itself never touches the disk. Unreadable files are left out; the
/// converter then reports them with their file:line.
/// </summary>
public static class ResourceContentReader
{
    public static ImmutableDictionary<string, ImmutableArray<byte>> Read(ComposeProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var result = ImmutableDictionary.CreateBuilder<string, ImmutableArray<byte>>(StringComparer.Ordinal);
        foreach (var section in new[] { project.Secrets, project.Configs })
        {
            foreach (var entry in section.Entries)
            {
                if (entry.Value is MappingNode resource && resource.Str("file") is { Length: > 0 } path && !result.ContainsKey(path))
                {
                    try
                    {
                        if (File.Exists(path))
                        {
                            result[path] = [.. File.ReadAllBytes(path)];
                        }
                    }
                    catch (IOException)
                    {
                        // Reported by the converter as missing content, with the location of the 'file' key.
                    }
                    catch (UnauthorizedAccessException)
                    {
                        // Same as above.
                    }
                }
            }
        }

        return result.ToImmutable();
    }
}
