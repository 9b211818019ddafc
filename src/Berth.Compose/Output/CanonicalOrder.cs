using Berth.Compose.Yaml;

namespace Berth.Compose.Output;

/// <summary>The order keys are written in: a fixed order at the top level, sorted (ordinal) everywhere else.</summary>
internal static class CanonicalOrder
{
    private static readonly string[] TopLevel = ["name", "services", "networks", "volumes", "secrets", "configs", "models"];

    public static IEnumerable<MappingEntry> Entries(MappingNode mapping, bool topLevel)
    {
        if (!topLevel)
        {
            return mapping.Entries.OrderBy(e => e.Name, StringComparer.Ordinal);
        }

        return mapping.Entries
            .OrderBy(e => Array.IndexOf(TopLevel, e.Name) is var i and >= 0 ? i : TopLevel.Length)
            .ThenBy(e => e.Name, StringComparer.Ordinal);
    }
}
