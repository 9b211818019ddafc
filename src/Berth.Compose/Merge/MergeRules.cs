using System.Collections.Frozen;

namespace Berth.Compose.Merge;

/// <summary>How the value at one path of a Compose document is merged.</summary>
internal enum MergeStrategy
{
    /// <summary>Mappings merge by key, sequences append, scalars are replaced.</summary>
    Default,

    /// <summary>The overlay replaces the base (shell commands, ulimit entries).</summary>
    Replace,

    /// <summary>A name → string mapping (environment, labels …): entries merge by key and an overlay entry wins even when null.</summary>
    StringMap,

    /// <summary>A sequence whose items are identified by a key: an overlay item replaces the base item with the same key.</summary>
    Unique,

    /// <summary><c>extra_hosts</c>: host → addresses, addresses of one host are united.</summary>
    ExtraHosts,

    /// <summary><c>logging</c>: options merge only when both sides use the same driver (or one names none).</summary>
    Logging,

    /// <summary><c>build</c>: a string is the context, then the mappings merge.</summary>
    Build,

    /// <summary>service <c>models</c>: list or mapping; a list is read as names with no options.</summary>
    Models,

    /// <summary><c>ipam.config</c>: entries with the same subnet merge.</summary>
    IpamConfig,
}

/// <summary>What identifies an item of a <see cref="MergeStrategy.Unique"/> sequence.</summary>
internal enum ItemKey
{
    None,

    /// <summary>host_ip, published, target and protocol (compose-go's port indexer).</summary>
    Port,

    /// <summary>The mount target.</summary>
    Target,

    /// <summary>The target, or <c>/run/secrets/&lt;source&gt;</c> when none is given.</summary>
    SecretMount,

    /// <summary>The target, or <c>/&lt;source&gt;</c> when none is given.</summary>
    ConfigMount,

    /// <summary>The device's target, or its source when no target is given.</summary>
    DeviceTarget,

    /// <summary>The env file's path.</summary>
    EnvFilePath,

    /// <summary>The text before the first <c>=</c> (so <c>ndots=2</c> replaces <c>ndots=1</c>), or the whole value.</summary>
    KeyValue,

    /// <summary>The whole value: only exact duplicates are dropped.</summary>
    Exact,
}

internal readonly record struct MergeRule(MergeStrategy Strategy, ItemKey Key = ItemKey.None)
{
    public static MergeRule Default { get; } = new(MergeStrategy.Default);
}

/// <summary>
/// The specification's merge exceptions (13-merge.md, 05-services.md#extends) as path patterns, completed with
/// compose-go's special cases (its override/merge.go and unicity rules), which <c>docker compose config</c> applies.
/// </summary>
internal static class MergeRules
{
    private static readonly (string Pattern, MergeRule Rule)[] Table =
    [
        // Shell commands are replaced, not appended (13-merge.md "Shell commands").
        ("services.*.command", new(MergeStrategy.Replace)),
        ("services.*.entrypoint", new(MergeStrategy.Replace)),
        ("services.*.healthcheck.test", new(MergeStrategy.Replace)),
        ("services.*.ulimits.*", new(MergeStrategy.Replace)),

        ("services.*.logging", new(MergeStrategy.Logging)),
        ("services.*.build", new(MergeStrategy.Build)),
        ("services.*.models", new(MergeStrategy.Models)),
        ("services.*.extra_hosts", new(MergeStrategy.ExtraHosts)),
        ("services.*.build.extra_hosts", new(MergeStrategy.ExtraHosts)),
        ("networks.*.ipam.config", new(MergeStrategy.IpamConfig)),

        // Mappings of strings in canonical form; compose-go merges them as KEY=VALUE lists, last one wins.
        ("services.*.environment", new(MergeStrategy.StringMap)),
        ("services.*.labels", new(MergeStrategy.StringMap)),
        ("services.*.annotations", new(MergeStrategy.StringMap)),
        ("services.*.sysctls", new(MergeStrategy.StringMap)),
        ("services.*.build.args", new(MergeStrategy.StringMap)),
        ("services.*.build.labels", new(MergeStrategy.StringMap)),
        ("services.*.build.additional_contexts", new(MergeStrategy.StringMap)),
        ("services.*.deploy.labels", new(MergeStrategy.StringMap)),
        ("networks.*.labels", new(MergeStrategy.StringMap)),
        ("volumes.*.labels", new(MergeStrategy.StringMap)),
        ("secrets.*.labels", new(MergeStrategy.StringMap)),
        ("configs.*.labels", new(MergeStrategy.StringMap)),

        // Unique resources (13-merge.md) and compose-go's unicity rules.
        ("services.*.ports", new(MergeStrategy.Unique, ItemKey.Port)),
        ("services.*.volumes", new(MergeStrategy.Unique, ItemKey.Target)),
        ("services.*.secrets", new(MergeStrategy.Unique, ItemKey.SecretMount)),
        ("services.*.configs", new(MergeStrategy.Unique, ItemKey.ConfigMount)),
        ("services.*.devices", new(MergeStrategy.Unique, ItemKey.DeviceTarget)),
        ("services.*.env_file", new(MergeStrategy.Unique, ItemKey.EnvFilePath)),
        ("services.*.expose", new(MergeStrategy.Unique, ItemKey.Exact)),
        ("services.*.cap_add", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.cap_drop", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.dns", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.dns_opt", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.dns_search", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.links", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.profiles", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.tmpfs", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.networks.*.aliases", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.networks.*.link_local_ips", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.build.tags", new(MergeStrategy.Unique, ItemKey.KeyValue)),
        ("services.*.build.platforms", new(MergeStrategy.Unique, ItemKey.KeyValue)),

        // compose-go appends these with duplicates; the spec (extends section) removes duplicates, and a repeated
        // entry means nothing in any of them, so exact duplicates are dropped.
        ("services.*.security_opt", new(MergeStrategy.Unique, ItemKey.Exact)),
        ("services.*.external_links", new(MergeStrategy.Unique, ItemKey.Exact)),
        ("services.*.device_cgroup_rules", new(MergeStrategy.Unique, ItemKey.Exact)),
        ("services.*.deploy.placement.constraints", new(MergeStrategy.Unique, ItemKey.Exact)),
        ("services.*.deploy.placement.preferences", new(MergeStrategy.Unique, ItemKey.Exact)),
        ("services.*.deploy.resources.reservations.generic_resources", new(MergeStrategy.Unique, ItemKey.Exact)),
    ];

    // Indexed by the last segment so a lookup compares a handful of patterns, not the whole table.
    private static readonly FrozenDictionary<string, (string[] Segments, MergeRule Rule)[]> ByLastSegment = Table
        .Select(t => (Segments: t.Pattern.Split('.'), t.Rule))
        .GroupBy(t => t.Segments[^1], StringComparer.Ordinal)
        .ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    /// <summary>The rule for the value at <paramref name="path"/> (keys from the document root).</summary>
    public static MergeRule For(IReadOnlyList<string> path)
    {
        if (path.Count == 0)
        {
            return MergeRule.Default;
        }

        if (ByLastSegment.TryGetValue(path[^1], out var candidates) && Find(candidates, path) is { } exact)
        {
            return exact;
        }

        if (ByLastSegment.TryGetValue("*", out var wildcards) && Find(wildcards, path) is { } wild)
        {
            return wild;
        }

        return MergeRule.Default;
    }

    private static MergeRule? Find((string[] Segments, MergeRule Rule)[] candidates, IReadOnlyList<string> path)
    {
        foreach (var (segments, rule) in candidates)
        {
            if (Matches(segments, path))
            {
                return rule;
            }
        }

        return null;
    }

    private static bool Matches(string[] pattern, IReadOnlyList<string> path)
    {
        if (pattern.Length != path.Count)
        {
            return false;
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != "*" && !string.Equals(pattern[i], path[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
