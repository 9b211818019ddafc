using System.Text.Json.Nodes;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// Narrows an invalid document to the parts the precheck rejects before the (slow) detailed evaluation:
/// valid top-level sections are dropped, and of a section holding named entries (services, volumes, ...)
/// only the rejected entries are kept. Paths and nodes are unchanged, so reports point to the same places.
/// A file with one bad service among 2,000 is then reported in milliseconds instead of seconds.
/// </summary>
internal static class SchemaPruner
{
    /// <summary>
    /// Whether dropping entries can never create a violation: true when neither the root nor any top-level
    /// section's schema counts or requires entries.
    /// </summary>
    public static bool IsSafeFor(ComposeSchema schema)
    {
        if (HasEntryConstraints(schema.Root))
        {
            return false;
        }

        var properties = schema.Root["properties"] as JsonObject;
        return properties is null || properties.All(p => !HasEntryConstraints(schema.Deref(p.Value)));
    }

    public static MappingNode Prune(MappingNode document, SchemaPrecheck precheck)
    {
        var kept = new List<MappingEntry>(document.Count);
        foreach (var section in document.Entries)
        {
            if (precheck.IsValid(Document(section)))
            {
                continue;
            }

            if (section.Value is MappingNode { Count: > 1 } named)
            {
                var rejected = named.Entries
                    .Where(entry => !precheck.IsValid(Document(new MappingEntry(section.Key, named.WithEntries([entry])))))
                    .ToList();

                // Nothing rejected alone means the section fails as a whole; keep all of it.
                if (rejected.Count > 0)
                {
                    kept.Add(new MappingEntry(section.Key, named.WithEntries(rejected)));
                    continue;
                }
            }

            kept.Add(section);
        }

        // The precheck may be stricter than the schema; with nothing left, report on the whole document.
        return kept.Count == 0 ? document : document.WithEntries(kept);

        MappingNode Document(MappingEntry only) => document.WithEntries([only]);
    }

    private static bool HasEntryConstraints(JsonNode? schema)
        => schema is JsonObject obj
            && (obj.ContainsKey("required") || obj.ContainsKey("minProperties") || obj.ContainsKey("maxProperties")
                || obj.ContainsKey("dependencies") || obj.ContainsKey("propertyNames")
                || obj.ContainsKey("oneOf") || obj.ContainsKey("anyOf") || obj.ContainsKey("allOf") || obj.ContainsKey("not")
                || obj.ContainsKey("if"));
}
