using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>Names the engine would refuse: service keys, resource keys and volume names.</summary>
internal static class SemanticNameChecks
{
    private static readonly string[] ResourceSections = ["networks", "volumes", "secrets", "configs"];

    public static void Check(SemanticProject project, DiagnosticBag diagnostics)
    {
        foreach (var service in project.Services.Where(s => !IsServiceName(s.Name)))
        {
            diagnostics.Error(
                DiagnosticCodes.InvalidName,
                $"invalid service name '{service.Name}'",
                service.Key.Location,
                service.Path,
                "service names start with a letter or digit, followed by letters, digits, '_', '.' or '-'");
        }

        foreach (var section in ResourceSections)
        {
            if (project.Document[section] is not MappingNode resources)
            {
                continue;
            }

            foreach (var entry in resources.Entries.Where(e => !IsResourceKey(e.Name)))
            {
                diagnostics.Error(
                    DiagnosticCodes.InvalidName,
                    $"invalid {section[..^1]} name '{entry.Name}'",
                    entry.Key.Location,
                    $"{section}.{entry.Name}",
                    "use only letters, digits, '_', '.' and '-'");
            }
        }

        // The engine only creates volumes whose name matches [a-zA-Z0-9][a-zA-Z0-9_.-]+; external ones already exist.
        if (project.Document["volumes"] is MappingNode volumes)
        {
            foreach (var entry in volumes.Entries)
            {
                if (entry.Value is MappingNode volume
                    && !IsTrue(volume["external"])
                    && volume["name"] is ScalarNode { IsNull: false } name
                    && !IsVolumeName(name.AsString()))
                {
                    diagnostics.Error(
                        DiagnosticCodes.InvalidName,
                        $"invalid volume name '{name.AsString()}'",
                        name.Location,
                        $"volumes.{entry.Name}.name",
                        "volume names have at least two characters: a letter or digit, then letters, digits, '_', '.' or '-'");
                }
            }
        }
    }

    internal static bool IsServiceName(string name)
        => name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(IsNameChar);

    private static bool IsResourceKey(string name) => name.Length > 0 && name.All(IsNameChar);

    private static bool IsVolumeName(string name) => name.Length >= 2 && IsServiceName(name);

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-';

    private static bool IsTrue(ComposeNode? node) => node is ScalarNode { Kind: ScalarKind.Bool, Value: "true" };
}
