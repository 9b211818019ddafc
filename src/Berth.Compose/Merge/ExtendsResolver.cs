using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Applies <c>extends</c> (same file and other files, nested, with cycle detection).</summary>
/// <remarks>
/// Every attribute of the base service is inherited, including <c>depends_on</c>, <c>volumes_from</c>, <c>links</c>
/// and <c>service:</c> references: compose-go (v2) copies them all, and the spec leaves it to the author to declare
/// the referenced resources (the semantic checks report the ones that are missing).
/// </remarks>
public static class ExtendsResolver
{
    /// <summary>
    /// Resolves every service's <c>extends</c> in <paramref name="document"/>.
    /// <paramref name="loadFile"/> loads another Compose file (absolute path) as a syntax-canonical document
    /// with its relative paths already resolved against that file's folder; it returns null when it failed
    /// (it has reported why).
    /// </summary>
    public static MappingNode Resolve(MappingNode document, string file, Func<string, MappingNode?> loadFile, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(loadFile);
        ArgumentNullException.ThrowIfNull(diagnostics);

        if (!document.TryGet("services", out var servicesNode) || servicesNode is not MappingNode services
            || !services.Entries.Any(e => e.Value is MappingNode m && m.ContainsKey(ExtendsChain.Key)))
        {
            return document;
        }

        var chain = new ExtendsChain(file, services, loadFile, diagnostics);
        var entries = ImmutableArray.CreateBuilder<MappingEntry>(services.Count);
        foreach (var entry in services.Entries)
        {
            if (entry.Value is MappingNode service && service.ContainsKey(ExtendsChain.Key))
            {
                // On failure (already reported) the service is kept without 'extends' so later stages see a plain service.
                var resolved = chain.ResolveInMainFile(entry.Name, service) ?? service.Without(ExtendsChain.Key);
                entries.Add(new MappingEntry(entry.Key, resolved));
            }
            else
            {
                entries.Add(entry);
            }
        }

        return document.With("services", new MappingNode(entries.ToImmutable(), services.Location, services.Tag));
    }
}
