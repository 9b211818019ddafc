using System.Collections.Immutable;
using System.Globalization;
using Berth.Policy.Model;
using YamlDotNet.RepresentationModel;

namespace Berth.Policy.Parsing;

/// <summary>Reads the <c>rules</c> mapping of a policy or scope; the key names are the policy file format.</summary>
internal static class RuleSetReader
{
    internal static readonly string[] RuleKeys =
    [
        "allowPrivileged", "allowHostPid", "allowHostIpc", "allowHostNetwork", "allowHostUserns", "allowHostUts",
        "allowHostCgroup", "bindMounts", "capabilities", "allowDevices", "allowGpus", "requireNonRoot",
        "requireNoNewPrivileges", "allowUnconfined", "selinux", "sysctls", "ports", "resources", "images", "restart", "replicas",
    ];

    private static readonly string[] RestartPolicies = ["no", "always", "on-failure", "unless-stopped"];

    public static RuleSet Read(PolicyNodeReader r, YamlNode node, string path)
    {
        if (r.MappingOf(node, path, RuleKeys) is not { } keys)
        {
            return RuleSet.Empty;
        }

        bool? Flag(string key) => keys.TryGetValue(key, out var n) ? r.Bool(n, $"{path}.{key}") : null;
        Dictionary<string, YamlNode>? Sub(string key, string[] known)
            => keys.TryGetValue(key, out var n) ? r.MappingOf(n, $"{path}.{key}", known) : null;
        bool SubFlag(Dictionary<string, YamlNode> sub, string key, string subPath, bool absent)
            => sub.TryGetValue(key, out var n) ? r.Bool(n, $"{subPath}.{key}") ?? absent : absent;
        ImmutableArray<string> SubStrings(Dictionary<string, YamlNode> sub, string key, string subPath)
            => sub.TryGetValue(key, out var n) ? r.Strings(n, $"{subPath}.{key}") ?? [] : [];

        var rules = new RuleSet
        {
            AllowPrivileged = Flag("allowPrivileged"),
            AllowHostPid = Flag("allowHostPid"),
            AllowHostIpc = Flag("allowHostIpc"),
            AllowHostNetwork = Flag("allowHostNetwork"),
            AllowHostUserns = Flag("allowHostUserns"),
            AllowHostUts = Flag("allowHostUts"),
            AllowHostCgroup = Flag("allowHostCgroup"),
            AllowDevices = Flag("allowDevices"),
            AllowGpus = Flag("allowGpus"),
            RequireNonRoot = Flag("requireNonRoot"),
            RequireNoNewPrivileges = Flag("requireNoNewPrivileges"),
            AllowUnconfined = Flag("allowUnconfined"),
        };

        var p = $"{path}.bindMounts";
        if (Sub("bindMounts", ["allow", "allowedPrefixes", "requireReadOnly"]) is { } bind)
        {
            rules = rules with { BindMounts = new BindMountRule(SubFlag(bind, "allow", p, true), SubStrings(bind, "allowedPrefixes", p), SubFlag(bind, "requireReadOnly", p, false)) };
        }

        p = $"{path}.capabilities";
        if (Sub("capabilities", ["allowed", "requireDropAll"]) is { } caps)
        {
            var allowed = SubStrings(caps, "allowed", p).Select(Capabilities.Normalize).ToImmutableArray();
            rules = rules with { Capabilities = new CapabilityRule(allowed, SubFlag(caps, "requireDropAll", p, false)) };
        }

        p = $"{path}.selinux";
        if (Sub("selinux", ["allowedTypes"]) is { } selinux)
        {
            rules = rules with { Selinux = new SelinuxRule(SubStrings(selinux, "allowedTypes", p)) };
        }

        p = $"{path}.sysctls";
        if (Sub("sysctls", ["allowed"]) is { } sysctls)
        {
            rules = rules with { Sysctls = new SysctlRule(SubStrings(sysctls, "allowed", p)) };
        }

        p = $"{path}.ports";
        if (Sub("ports", ["allowedPublished", "allowHostMode"]) is { } ports)
        {
            var ranges = ImmutableArray.CreateBuilder<PortRange>();
            if (ports.TryGetValue("allowedPublished", out var list) && r.Sequence(list, $"{p}.allowedPublished") is { } items)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    var itemPath = $"{p}.allowedPublished[{i}]";
                    if (items[i] is YamlScalarNode { Value: { } text } && TryParseRange(text, out var range))
                    {
                        ranges.Add(range);
                    }
                    else
                    {
                        r.Error(PolicyCodes.InvalidValue, "not a port or port range", items[i], itemPath, "write a port (8080) or a range (30000-32767) between 1 and 65535");
                    }
                }
            }

            rules = rules with { Ports = new PortRule(ranges.ToImmutable(), SubFlag(ports, "allowHostMode", p, true)) };
        }

        p = $"{path}.resources";
        if (Sub("resources", ["requireLimits", "requireReservations"]) is { } resources)
        {
            rules = rules with { Resources = new ResourceRule(SubFlag(resources, "requireLimits", p, false), SubFlag(resources, "requireReservations", p, false)) };
        }

        p = $"{path}.images";
        if (Sub("images", ["allowedRegistries", "requireDigest", "denyLatest"]) is { } images)
        {
            rules = rules with { Images = new ImageRule(SubStrings(images, "allowedRegistries", p), SubFlag(images, "requireDigest", p, false), SubFlag(images, "denyLatest", p, false)) };
        }

        p = $"{path}.restart";
        if (Sub("restart", ["allowedPolicies"]) is { } restart && restart.TryGetValue("allowedPolicies", out var policiesNode))
        {
            var policies = r.Strings(policiesNode, $"{p}.allowedPolicies") ?? [];
            foreach (var bad in policies.Where(x => !RestartPolicies.Contains(x, StringComparer.Ordinal)))
            {
                r.Error(PolicyCodes.InvalidValue, $"unknown restart policy '{bad}'", policiesNode, $"{p}.allowedPolicies", $"use Compose's names: {string.Join(", ", RestartPolicies)}");
            }

            rules = rules with { Restart = new RestartRule(policies) };
        }

        p = $"{path}.replicas";
        if (Sub("replicas", ["min", "max"]) is { } replicas)
        {
            var min = replicas.TryGetValue("min", out var minNode) ? r.Int(minNode, $"{p}.min") : null;
            var max = replicas.TryGetValue("max", out var maxNode) ? r.Int(maxNode, $"{p}.max") : null;
            if (min < 0 || max < 0 || (min is { } lo && max is { } hi && lo > hi))
            {
                r.Error(PolicyCodes.InvalidValue, $"replica bounds {min}..{max} are not a range", keys["replicas"], p, "write 0 <= min <= max");
            }

            rules = rules with { Replicas = new ReplicaRule(min, max) };
        }

        return rules;
    }

    internal static bool TryParseRange(string text, out PortRange range)
    {
        range = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var firstText = dash < 0 ? text : text[..dash];
        var lastText = dash < 0 ? text : text[(dash + 1)..];
        if (!int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || first < 1 || last > 65535 || first > last)
        {
            return false;
        }

        range = new PortRange(first, last);
        return true;
    }
}
