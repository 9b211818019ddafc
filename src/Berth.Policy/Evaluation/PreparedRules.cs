using System.Collections.Frozen;
using System.Globalization;
using Berth.Compose.Diagnostics;
using Berth.Policy.Model;

namespace Berth.Policy.Evaluation;

/// <summary>
/// A rule set made ready once per evaluation, so the per-service checks only look things up: allow lists as frozen
/// sets, bind prefixes resolved against the project folder, and the hints that name the lists already joined.
/// </summary>
internal sealed class PreparedRules
{
    public PreparedRules(EffectiveRules effective, string projectDirectory)
    {
        var rules = effective.Rules;
        Rules = rules;
        Name = effective.Name;
        Severity = effective.Mode == PolicyMode.Enforce ? Severity.Error : Severity.Warning;

        if (rules.BindMounts is { } bind)
        {
            BindPrefixes = [.. bind.AllowedPrefixes.Select(p => TrimSlash(Path.GetFullPath(p, projectDirectory)))];
            BindPrefixHint = $"mount a path under {string.Join(", ", bind.AllowedPrefixes)}";
        }

        if (rules.Capabilities is { } caps)
        {
            Capabilities = caps.Allowed.ToFrozenSet(StringComparer.Ordinal);
            CapabilityHint = caps.Allowed.Length == 0 ? "remove it from cap_add: the policy allows no added capability" : $"add only: {string.Join(", ", caps.Allowed)}";
        }

        if (rules.Selinux is { } selinux)
        {
            SelinuxTypes = selinux.AllowedTypes.ToFrozenSet(StringComparer.Ordinal);
            SelinuxHint = selinux.AllowedTypes.Length == 0 ? "remove it: the policy allows no SELinux type, the runtime's applies" : $"use one of: {string.Join(", ", selinux.AllowedTypes)}, or remove it";
        }

        if (rules.Sysctls is { } sysctls)
        {
            SysctlNames = sysctls.Allowed.Where(a => !a.EndsWith('*')).ToFrozenSet(StringComparer.Ordinal);
            SysctlPrefixes = [.. sysctls.Allowed.Where(a => a.EndsWith('*')).Select(a => a[..^1])];
            SysctlHint = sysctls.Allowed.Length == 0 ? "remove it: the policy allows no sysctl" : $"set only: {string.Join(", ", sysctls.Allowed)}";
        }

        if (rules.Ports is { } ports)
        {
            PortHint = $"publish on a port in {string.Join(", ", ports.AllowedPublished)}";
        }

        if (rules.Images is { } images)
        {
            Registries = [.. images.AllowedRegistries.Select(r => r.TrimEnd('/'))];
            RegistryHint = $"use an image from {string.Join(", ", images.AllowedRegistries)}";
        }

        if (rules.Restart is { } restart)
        {
            RestartPolicies = restart.AllowedPolicies.ToFrozenSet(StringComparer.Ordinal);
            RestartHint = $"use one of: {string.Join(", ", restart.AllowedPolicies)}";
        }

        if (rules.Replicas is { } replicas)
        {
            ReplicaBounds = $"{replicas.Min?.ToString(CultureInfo.InvariantCulture) ?? "0"}..{replicas.Max?.ToString(CultureInfo.InvariantCulture) ?? "any"}";
        }
    }

    public RuleSet Rules { get; }

    public string Name { get; }

    public Severity Severity { get; }

    public string[] BindPrefixes { get; } = [];

    public string BindPrefixHint { get; } = string.Empty;

    public FrozenSet<string> Capabilities { get; } = FrozenSet<string>.Empty;

    public string CapabilityHint { get; } = string.Empty;

    public FrozenSet<string> SelinuxTypes { get; } = FrozenSet<string>.Empty;

    public string SelinuxHint { get; } = string.Empty;

    public FrozenSet<string> SysctlNames { get; } = FrozenSet<string>.Empty;

    /// <summary>The allowed sysctl entries written <c>NAME*</c>, without the star.</summary>
    public string[] SysctlPrefixes { get; } = [];

    public string SysctlHint { get; } = string.Empty;

    public string PortHint { get; } = string.Empty;

    /// <summary>Allowed registries or registry/path prefixes, without a trailing slash.</summary>
    public string[] Registries { get; } = [];

    public string RegistryHint { get; } = string.Empty;

    public FrozenSet<string> RestartPolicies { get; } = FrozenSet<string>.Empty;

    public string RestartHint { get; } = string.Empty;

    public string ReplicaBounds { get; } = string.Empty;

    /// <summary>True when <paramref name="path"/> is one of the allowed folders or under one, on a path boundary.</summary>
    public bool UnderBindPrefix(string path)
    {
        foreach (var prefix in BindPrefixes)
        {
            if (prefix == "/" || path == prefix || (path.Length > prefix.Length && path[prefix.Length] == '/' && path.StartsWith(prefix, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    public bool AllowsSysctl(string name)
    {
        if (SysctlNames.Contains(name))
        {
            return true;
        }

        foreach (var prefix in SysctlPrefixes)
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static string TrimSlash(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
