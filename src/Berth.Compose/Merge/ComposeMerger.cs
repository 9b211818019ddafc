using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Merges Compose documents with the specification's rules (13-merge.md), including !reset and !override.</summary>
public static class ComposeMerger
{
    /// <summary>Merges <paramref name="overlay"/> onto <paramref name="baseDocument"/>; both are syntax-canonical documents.</summary>
    public static MappingNode Merge(MappingNode baseDocument, MappingNode overlay, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the merge work package.
        _ = diagnostics;
        var result = baseDocument;
        foreach (var entry in overlay.Entries)
        {
            result = result.With(entry.Key, entry.Value);
        }

        return result;
    }
}
