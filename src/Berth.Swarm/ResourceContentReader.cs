using System.Collections.Immutable;
using System.Text;
using Berth.Compose.Model;
using Berth.Compose.Yaml;

namespace Berth.Swarm;

/// <summary>
/// The one non-pure step before conversion: reads the files and environment variables top-level secrets and
/// configs take their content from, so the converter never touches the disk or the process. Unreadable files
/// are left out; the converter reports them with their file:line.
/// </summary>
public static class ResourceContentReader
{
    public static string EnvironmentKey(string variable) => "env:" + variable;

    public static ImmutableDictionary<string, ImmutableArray<byte>> Read(ComposeProject project)
    {
        ArgumentNullException.ThrowIfNull(project);
        var result = ImmutableDictionary.CreateBuilder<string, ImmutableArray<byte>>(StringComparer.Ordinal);
        foreach (var section in new[] { project.Secrets, project.Configs })
        {
            foreach (var resource in section.Entries.Select(e => e.Value).OfType<MappingNode>())
            {
                // An empty path made File.ReadAllBytes throw ArgumentException (fuzz finding); the converter reports it.
                if (resource["file"] is ScalarNode { IsNull: false } file && file.AsString().Length > 0 && !result.ContainsKey(file.AsString()))
                {
                    try
                    {
                        result[file.AsString()] = [.. File.ReadAllBytes(file.AsString())];
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // Reported by the converter with the location of the 'file' key.
                    }
                }

                if (resource["environment"] is ScalarNode { IsNull: false } variable
                    && project.Environment.TryGetValue(variable.AsString(), out var value))
                {
                    result[EnvironmentKey(variable.AsString())] = [.. Encoding.UTF8.GetBytes(value)];
                }
            }
        }

        return result.ToImmutable();
    }
}
