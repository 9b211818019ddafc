using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Removes exact repeats from lists whose items must be unique (compose-go's "unicity" rule). They arise
/// legitimately, e.g. ports "3000" and "3000-3005" both expand to target 3000; the first one is kept.
/// </summary>
internal static class NormalizeUnique
{
    private static readonly string[] UniqueLists = ["ports", "expose", "dns", "dns_search", "cap_add", "cap_drop", "security_opt", "devices", "profiles"];

    public static MappingNode Apply(MappingNode service)
    {
        var result = service;
        foreach (var key in UniqueLists)
        {
            if (result[key] is not SequenceNode list || list.Count < 2)
            {
                continue;
            }

            var kept = new List<ComposeNode>(list.Count);
            foreach (var item in list.Items)
            {
                if (!kept.Exists(k => k.SameValueAs(item)))
                {
                    kept.Add(item);
                }
            }

            if (kept.Count != list.Count)
            {
                result = result.With(key, list.WithItems(kept));
            }
        }

        return result;
    }
}
