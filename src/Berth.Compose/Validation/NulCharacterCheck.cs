using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// A NUL character ("\0" in a double-quoted string) in a path or resource name: no file system or engine accepts
/// it, and .NET's path functions throw on it (found by fuzzing: <c>include: "\0"</c> was an internal error).
/// Reported once per value, before any stage turns the value into a path.
/// </summary>
internal static class NulCharacterCheck
{
    // The keys under which values become host paths or engine object names.
    private static readonly HashSet<string> PathKeys = new(StringComparer.Ordinal)
    {
        "include", "extends", "env_file", "label_file", "build", "volumes", "secrets", "configs", "develop", "networks",
    };

    /// <summary>Reports every such value; true when there was one (the file is then not read further).</summary>
    public static bool Report(MappingNode document, DiagnosticBag diagnostics)
    {
        var found = false;
        foreach (var entry in document.Entries)
        {
            if (entry.Name == "services" && entry.Value is MappingNode services)
            {
                foreach (var service in services.Entries)
                {
                    if (service.Value is MappingNode body)
                    {
                        foreach (var key in body.Entries.Where(e => PathKeys.Contains(e.Name)))
                        {
                            found |= Walk(key.Value, $"services.{service.Name}.{key.Name}", diagnostics);
                        }
                    }
                }
            }
            else if (PathKeys.Contains(entry.Name))
            {
                found |= Walk(entry.Value, entry.Name, diagnostics);
            }
        }

        return found;
    }

    private static bool Walk(ComposeNode node, string path, DiagnosticBag diagnostics)
    {
        switch (node)
        {
            case ScalarNode scalar when scalar.Value.Contains('\0', StringComparison.Ordinal):
                diagnostics.Error(DiagnosticCodes.InvalidValue, "a NUL character (\\0) is not allowed in a path or name", scalar.Location, path, "remove the \\0 escape from the value");
                return true;
            case MappingNode map:
                var found = false;
                foreach (var entry in map.Entries)
                {
                    found |= Walk(entry.Value, $"{path}.{entry.Name}", diagnostics);
                }

                return found;
            case SequenceNode seq:
                var any = false;
                for (var i = 0; i < seq.Items.Length; i++)
                {
                    any |= Walk(seq.Items[i], $"{path}[{i}]", diagnostics);
                }

                return any;
            default:
                return false;
        }
    }
}
