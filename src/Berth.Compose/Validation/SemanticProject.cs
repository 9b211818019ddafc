using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>The parts of a canonical document the semantic checks look at, found once.</summary>
internal sealed class SemanticProject
{
    private string? _servicesHint;

    public SemanticProject(MappingNode document)
    {
        Document = document;
        // A loop, not Where().Select(): Select over a LINQ iterator is a generic virtual call that Native AOT resolves
        // at run time, paid on every start.
        var services = new List<SemanticService>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in (document["services"] as MappingNode)?.Entries ?? [])
        {
            if (entry.Value is MappingNode service)
            {
                services.Add(new SemanticService(entry.Name, entry.Key, service));
                names.Add(entry.Name);
            }
        }

        Services = services;
        ServiceNames = names;
    }

    public MappingNode Document { get; }

    public IReadOnlyList<SemanticService> Services { get; }

    public IReadOnlySet<string> ServiceNames { get; }

    /// <summary>"defined services: a, b, …" — built on first use only: it is needed only when a check fails.</summary>
    public string ServicesHint => _servicesHint ??= $"defined services: {string.Join(", ", ServiceNames.Order(StringComparer.Ordinal))}";

    /// <summary>The keys of a top-level section (networks, volumes, secrets, configs), in file order.</summary>
    public IReadOnlyList<string> Defined(string section)
        => Document[section] is MappingNode map ? [.. map.Keys] : [];

    /// <summary>A hint naming what is defined, or saying how to define it.</summary>
    public string DefinedHint(string section, string kind)
    {
        var defined = Defined(section);
        return defined.Count == 0
            ? $"no {section} are defined; declare the {kind} under the top-level '{section}:' key"
            : $"defined {section}: {string.Join(", ", defined)}; or declare the {kind} under the top-level '{section}:' key";
    }
}

/// <summary>One service: its name, the key node (for locations) and its definition.</summary>
internal sealed record SemanticService(string Name, ScalarNode Key, MappingNode Definition)
{
    public string Path => $"services.{Name}";
}
