using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Merges Compose documents with the specification's rules (13-merge.md), including !reset and !override.</summary>
/// <remarks>
/// Rules, in order: an overlay value tagged <c>!reset</c> removes the key (whatever its value, as compose-go does:
/// <c>ports: !reset []</c> leaves no <c>ports</c>); <c>!override</c> replaces the base value; a null overlay keeps the
/// base value (except for replaced attributes and entries of string maps such as <c>environment</c>); then the
/// per-path rules of <see cref="MergeRules"/>, and otherwise mappings merge by key, sequences append and scalars are
/// replaced. Keys starting with <c>x-</c> are replaced, not merged (compose-go). Values taken from the overlay keep the
/// overlay's locations, so every value traces to the file that set it. No tag remains in the result.
/// </remarks>
public static class ComposeMerger
{
    /// <summary>Merges <paramref name="overlay"/> onto <paramref name="baseDocument"/>; both are syntax-canonical documents.</summary>
    public static MappingNode Merge(MappingNode baseDocument, MappingNode overlay, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(baseDocument);
        ArgumentNullException.ThrowIfNull(overlay);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var merger = new TreeMerger(diagnostics, keepOverlayTags: false);
        return merger.MergeDocument(baseDocument, overlay);
    }

    /// <summary>
    /// Applies the merge tags of a document that is not merged onto anything: <c>!reset</c> values are removed
    /// and all tags are dropped. The loader's last merge step (profiles) calls this so no tag reaches the output.
    /// </summary>
    public static MappingNode ResolveTags(MappingNode document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return (MappingNode?)MergeTags.Clean(document) ?? MappingNode.Empty(document.Location);
    }

    /// <summary>
    /// Merges a service onto the service it extends. The extending service's merge tags are kept in the result,
    /// because in compose-go they also apply when the file is later merged onto the previous files.
    /// </summary>
    internal static MappingNode MergeService(string name, MappingNode baseService, MappingNode service, DiagnosticBag diagnostics)
    {
        var merger = new TreeMerger(diagnostics, keepOverlayTags: true);
        return merger.MergeAt(["services", name], baseService, service);
    }
}
