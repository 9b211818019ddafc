using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Keeps services without profiles and services whose profiles include an active one.</summary>
/// <remarks>
/// <para>
/// Follows compose-go (<c>Project.WithProfiles</c> then its consistency check): a service with no profiles (or an
/// empty list) is always enabled, <c>*</c> enables every service, and a disabled service is never switched on
/// because an enabled one depends on it (the spec: references "do not automatically enable a component").
/// </para>
/// <para>
/// A <c>depends_on</c> entry naming a disabled service is dropped when it says <c>required: false</c> (compose-go
/// skips it; dropping it keeps the output free of references to services that are not in the model). With
/// <c>required: true</c> (the default) it is an error, as in compose-go ("depends on undefined service"), reported
/// here with the profiles that would enable the service; the entry is then dropped so it is not reported twice.
/// Other references (<c>links</c>, <c>volumes_from</c>, <c>service:</c> modes) are left to the semantic checks.
/// Top-level resources are kept even when no enabled service uses them.
/// </para>
/// <para>This is the last step of the merge stage, so it also applies any merge tags still left (a single file's
/// own <c>!reset</c> values are removed) — no tag leaves this stage.</para>
/// </remarks>
public static class ProfileFilter
{
    public static MappingNode Apply(MappingNode document, ImmutableArray<string> activeProfiles, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(diagnostics);

        document = ComposeMerger.ResolveTags(document);
        if (document["services"] is not MappingNode services)
        {
            return document;
        }

        var active = activeProfiles.IsDefault ? [] : activeProfiles.ToHashSet(StringComparer.Ordinal);
        var all = active.Contains("*");
        var disabled = new Dictionary<string, ImmutableArray<string>>(StringComparer.Ordinal);
        var enabled = new List<MappingEntry>(services.Count);
        foreach (var entry in services.Entries)
        {
            var profiles = Profiles(entry.Value);
            if (all || profiles.IsEmpty || profiles.Any(active.Contains))
            {
                enabled.Add(entry);
            }
            else
            {
                disabled[entry.Name] = profiles;
            }
        }

        if (disabled.Count == 0)
        {
            return document;
        }

        for (var i = 0; i < enabled.Count; i++)
        {
            if (enabled[i].Value is MappingNode service && service["depends_on"] is MappingNode dependsOn
                && dependsOn.Keys.Any(disabled.ContainsKey))
            {
                var kept = DropDisabledDependencies(enabled[i].Name, dependsOn, disabled, diagnostics);
                enabled[i] = new MappingEntry(enabled[i].Key, service.With("depends_on", kept));
            }
        }

        return document.With("services", new MappingNode([.. enabled], services.Location));
    }

    private static ImmutableArray<string> Profiles(ComposeNode service)
    {
        if (service is not MappingNode map)
        {
            return [];
        }

        return map["profiles"] switch
        {
            SequenceNode list => [.. list.Items.OfType<ScalarNode>().Where(s => !s.IsNull).Select(s => s.AsString())],
            ScalarNode { IsNull: false } single => [single.AsString()],
            _ => [],
        };
    }

    private static MappingNode DropDisabledDependencies(
        string name,
        MappingNode dependsOn,
        Dictionary<string, ImmutableArray<string>> disabled,
        DiagnosticBag diagnostics)
    {
        var kept = new List<MappingEntry>(dependsOn.Count);
        foreach (var dependency in dependsOn.Entries)
        {
            if (!disabled.TryGetValue(dependency.Name, out var profiles))
            {
                kept.Add(dependency);
                continue;
            }

            if (IsRequired(dependency.Value))
            {
                var list = string.Join(", ", profiles);
                var flags = string.Join(" ", profiles.Select(p => $"--profile {p}"));
                diagnostics.Error(
                    DiagnosticCodes.UndefinedReference,
                    $"service '{name}' depends on service '{dependency.Name}', which is disabled: none of its profiles ({list}) is active",
                    dependency.Key.Location,
                    $"services.{name}.depends_on.{dependency.Name}",
                    $"enable it with {flags} (or COMPOSE_PROFILES), give '{name}' the same profiles, or mark the dependency 'required: false'");
            }
        }

        return new MappingNode([.. kept], dependsOn.Location);
    }

    /// <summary>A dependency is required unless it says <c>required: false</c> (the canonical form always says).</summary>
    private static bool IsRequired(ComposeNode dependency)
        => !(dependency is MappingNode m && m["required"] is ScalarNode required
            && (required.Kind == ScalarKind.Bool || required.Kind == ScalarKind.String)
            && string.Equals(required.AsString(), "false", StringComparison.OrdinalIgnoreCase));
}
