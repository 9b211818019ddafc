using System.Globalization;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;
using Berth.Policy.Model;

namespace Berth.Policy.Evaluation;

/// <summary>The rules applied to one service of the canonical project (long syntax everywhere, see canonical-form.md).</summary>
internal sealed class ServiceCheck(string name, ScalarNode serviceKey, MappingNode service, EffectiveRules effective, Severity severity, ProjectFacts project, DiagnosticBag bag)
{
    private readonly RuleSet _rules = effective.Rules;

    public void Run()
    {
        HostFlag(_rules.AllowPrivileged, "privileged", "true", PolicyCodes.Privileged, "allowPrivileged", "remove 'privileged: true'; add only the capabilities the service needs with cap_add");
        HostFlag(_rules.AllowHostPid, "pid", "host", PolicyCodes.HostPid, "allowHostPid", "remove 'pid: host'");
        HostFlag(_rules.AllowHostIpc, "ipc", "host", PolicyCodes.HostIpc, "allowHostIpc", "remove 'ipc: host' (use 'shareable'/'service:NAME' to share IPC between services)");
        HostFlag(_rules.AllowHostNetwork, "network_mode", "host", PolicyCodes.HostNetwork, "allowHostNetwork", "remove 'network_mode: host' and publish the ports the service serves");
        HostFlag(_rules.AllowHostUserns, "userns_mode", "host", PolicyCodes.HostUserns, "allowHostUserns", "remove 'userns_mode: host'");
        HostFlag(_rules.AllowHostUts, "uts", "host", PolicyCodes.HostUts, "allowHostUts", "remove 'uts: host' (set 'hostname' to name the container)");
        HostFlag(_rules.AllowHostCgroup, "cgroup", "host", PolicyCodes.HostCgroup, "allowHostCgroup", "remove 'cgroup: host' (or write 'cgroup: private')");
        BindMounts();
        Capabilities();
        Devices();
        User();
        SecurityOptions();
        Sysctls();
        Ports();
        Resources();
        Image();
        Restart();
        Replicas();
    }

    private void Report(string code, string rule, string message, SourceLocation location, string path, string hint)
        => bag.Add(new Diagnostic(code, severity, $"service '{name}' {message} (rule '{rule}' of {effective.Name})", location, $"services.{name}{path}", hint));

    private void HostFlag(bool? allow, string key, string value, string code, string rule, string hint)
    {
        if (allow is false && service.TryGetEntry(key, out var entry) && entry.Value is ScalarNode s && string.Equals(s.AsString(), value, StringComparison.Ordinal))
        {
            Report(code, rule, $"sets '{key}: {value}', which the policy denies", entry.Key.Location, $".{key}", hint);
        }
    }

    private void BindMounts()
    {
        if (_rules.BindMounts is not { } rule || service["volumes"] is not SequenceNode volumes)
        {
            return;
        }

        for (var i = 0; i < volumes.Count; i++)
        {
            if (volumes[i] is not MappingNode volume || HostPathOf(volume) is not { } mount)
            {
                continue;
            }

            var path = $".volumes[{i}]";
            if (!rule.Allow)
            {
                Report(PolicyCodes.BindMount, "bindMounts.allow", $"bind-mounts host path '{mount.Source}'{mount.Through}, which the policy denies", mount.Location, path, "use a named volume, a config or a secret instead of a host path");
                continue;
            }

            if (rule.AllowedPrefixes.Length > 0 && !project.UnderAllowedPrefix(rule, mount.FullPath))
            {
                Report(PolicyCodes.BindMount, "bindMounts.allowedPrefixes", $"bind-mounts host path '{mount.Source}'{mount.Through}, outside the allowed folders", mount.Location, path, $"mount a path under {string.Join(", ", rule.AllowedPrefixes)}");
            }

            if (rule.RequireReadOnly && !mount.ReadOnly && Text(volume["read_only"]) != "true")
            {
                Report(PolicyCodes.BindMountWritable, "bindMounts.requireReadOnly", $"bind-mounts host path '{mount.Source}'{mount.Through} writable", mount.Location, path, mount.Through.Length == 0
                    ? "add ':ro' to the short syntax or 'read_only: true' to the long syntax"
                    : "add ':ro' (or 'read_only: true') to the service's volume, or 'ro' to the volume's driver_opts 'o'");
            }
        }
    }

    /// <summary>
    /// The host folder a service volume mounts: a bind's source, or the <c>device</c> of a named volume whose local
    /// driver options bind a host folder (<c>type: none, o: bind, device: /path</c>) — a host path in disguise.
    /// </summary>
    private HostMount? HostPathOf(MappingNode volume)
    {
        var type = Text(volume["type"]);
        if (type == "bind")
        {
            var source = Text(volume["source"]) ?? string.Empty;
            return new HostMount(source, source, string.Empty, volume.Location, ReadOnly: false);
        }

        return type == "volume" && Text(volume["source"]) is { } name ? project.HostFolderVolume(name) : null;
    }

    private void Capabilities()
    {
        if (_rules.Capabilities is not { } rule)
        {
            return;
        }

        if (service.TryGetEntry("cap_add", out var added) && added.Value is SequenceNode adds)
        {
            for (var i = 0; i < adds.Count; i++)
            {
                var capability = Model.Capabilities.Normalize(Text(adds[i]) ?? string.Empty);
                if (!rule.Allowed.Contains(capability, StringComparer.Ordinal))
                {
                    Report(PolicyCodes.Capability, "capabilities.allowed", $"adds capability {capability}, which the policy does not allow", adds[i].Location, $".cap_add[{i}]", rule.Allowed.Length == 0 ? "remove it from cap_add: the policy allows no added capability" : $"add only: {string.Join(", ", rule.Allowed)}");
                }
            }
        }

        if (rule.RequireDropAll
            && !(service["cap_drop"] is SequenceNode drops && drops.Items.Any(d => Model.Capabilities.Normalize(Text(d) ?? string.Empty) == "ALL")))
        {
            var location = service.TryGetEntry("cap_drop", out var dropEntry) ? dropEntry.Key.Location : serviceKey.Location;
            Report(PolicyCodes.CapabilityDropAll, "capabilities.requireDropAll", "does not drop all capabilities", location, ".cap_drop", "add 'cap_drop: [ALL]' and add back what the service needs with cap_add");
        }
    }

    private void Devices()
    {
        if (_rules.AllowDevices is false && service.TryGetEntry("devices", out var devices) && devices.Value is SequenceNode { Count: > 0 })
        {
            Report(PolicyCodes.Device, "allowDevices", "maps host devices, which the policy denies", devices.Key.Location, ".devices", "remove 'devices'");
        }

        if (_rules.AllowGpus is not false)
        {
            return;
        }

        if (service.TryGetEntry("gpus", out var gpus))
        {
            Report(PolicyCodes.Gpu, "allowGpus", "requests GPUs, which the policy denies", gpus.Key.Location, ".gpus", "remove 'gpus'");
        }

        if (service["deploy"] is MappingNode deploy && deploy["resources"] is MappingNode resources
            && resources["reservations"] is MappingNode reservations && reservations.TryGetEntry("devices", out var reserved))
        {
            Report(PolicyCodes.Gpu, "allowGpus", "reserves devices (GPUs), which the policy denies", reserved.Key.Location, ".deploy.resources.reservations.devices", "remove 'deploy.resources.reservations.devices'");
        }
    }

    private void User()
    {
        if (_rules.RequireNonRoot is not true)
        {
            return;
        }

        if (!service.TryGetEntry("user", out var user))
        {
            Report(PolicyCodes.RunsAsRoot, "requireNonRoot", "does not set 'user', so it may run as root (the image's user is not known before deploy)", serviceKey.Location, ".user", "set 'user' to a non-zero uid, e.g. 'user: \"10001:10001\"'");
            return;
        }

        var who = (Text(user.Value) ?? string.Empty).Split(':')[0];
        if (who is "root" or "0" or "")
        {
            Report(PolicyCodes.RunsAsRoot, "requireNonRoot", $"runs as root (user '{Text(user.Value)}')", user.Key.Location, ".user", "set 'user' to a non-zero uid, e.g. 'user: \"10001:10001\"'");
        }
    }

    private void SecurityOptions()
    {
        var options = service["security_opt"] as SequenceNode;
        if (_rules.AllowUnconfined is false && options is not null)
        {
            for (var i = 0; i < options.Count; i++)
            {
                var option = (Text(options[i]) ?? string.Empty).Replace('=', ':');
                if (option is "seccomp:unconfined" or "apparmor:unconfined" or "label:disable" or "systempaths:unconfined"
                    || option.StartsWith("label:user:", StringComparison.Ordinal) || option.StartsWith("label:role:", StringComparison.Ordinal))
                {
                    Report(PolicyCodes.Unconfined, "allowUnconfined", $"sets security_opt '{Text(options[i])}', which the policy denies", options[i].Location, $".security_opt[{i}]", "remove it: keep the runtime's default seccomp, AppArmor and SELinux confinement");
                }
            }
        }

        if (_rules.Selinux is { } selinux && options is not null)
        {
            for (var i = 0; i < options.Count; i++)
            {
                var option = (Text(options[i]) ?? string.Empty).Replace('=', ':');
                if (option.StartsWith("label:type:", StringComparison.Ordinal) && !selinux.AllowedTypes.Contains(option["label:type:".Length..], StringComparer.Ordinal))
                {
                    Report(PolicyCodes.SelinuxType, "selinux.allowedTypes", $"sets SELinux type '{option["label:type:".Length..]}', which the policy does not allow", options[i].Location, $".security_opt[{i}]", selinux.AllowedTypes.Length == 0
                        ? "remove it: the policy allows no SELinux type, the runtime's applies"
                        : $"use one of: {string.Join(", ", selinux.AllowedTypes)}, or remove it");
                }
            }
        }

        if (_rules.RequireNoNewPrivileges is true
            && !(options is not null && options.Items.Any(o => (Text(o) ?? string.Empty).Replace('=', ':') is "no-new-privileges" or "no-new-privileges:true")))
        {
            var location = service.TryGetEntry("security_opt", out var entry) ? entry.Key.Location : serviceKey.Location;
            Report(PolicyCodes.NoNewPrivileges, "requireNoNewPrivileges", "does not forbid privilege escalation", location, ".security_opt", "add 'security_opt: [\"no-new-privileges:true\"]'");
        }
    }

    private void Sysctls()
    {
        if (_rules.Sysctls is not { } rule || service["sysctls"] is not MappingNode sysctls)
        {
            return;
        }

        foreach (var entry in sysctls.Entries)
        {
            if (!rule.Allowed.Any(a => a.EndsWith('*') ? entry.Name.StartsWith(a[..^1], StringComparison.Ordinal) : a == entry.Name))
            {
                Report(PolicyCodes.Sysctl, "sysctls.allowed", $"sets sysctl {entry.Name}, which the policy does not allow", entry.Key.Location, $".sysctls.{entry.Name}", rule.Allowed.Length == 0 ? "remove it: the policy allows no sysctl" : $"set only: {string.Join(", ", rule.Allowed)}");
            }
        }
    }

    private void Ports()
    {
        if (_rules.Ports is not { } rule || service["ports"] is not SequenceNode ports)
        {
            return;
        }

        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is not MappingNode port)
            {
                continue;
            }

            if (!rule.AllowHostMode && Text(port["mode"]) == "host")
            {
                Report(PolicyCodes.HostModePort, "ports.allowHostMode", "publishes a port in host mode (a host port), which the policy denies", port.Location, $".ports[{i}]", "publish through the ingress (the default mode), or remove 'mode: host'");
            }

            if (rule.AllowedPublished.Length > 0 && Text(port["published"]) is { Length: > 0 } published
                && !(Model.PortRangeParser.TryParse(published, out var range) && rule.AllowedPublished.Any(r => r.Contains(range.First) && r.Contains(range.Last))))
            {
                Report(PolicyCodes.PublishedPort, "ports.allowedPublished", $"publishes port {published}, outside the allowed ranges", port.Location, $".ports[{i}]", $"publish on a port in {string.Join(", ", rule.AllowedPublished)}");
            }
        }
    }

    private void Resources()
    {
        if (_rules.Resources is not { } rule)
        {
            return;
        }

        var resources = (service["deploy"] as MappingNode)?["resources"] as MappingNode;
        var limits = resources?["limits"] as MappingNode;
        var reservations = resources?["reservations"] as MappingNode;
        var location = service.TryGetEntry("deploy", out var deploy) ? deploy.Key.Location : serviceKey.Location;
        if (rule.RequireLimits)
        {
            var missing = Missing(("cpus", limits?.ContainsKey("cpus") == true || service.ContainsKey("cpus")), ("memory", limits?.ContainsKey("memory") == true || service.ContainsKey("mem_limit")));
            if (missing.Length > 0)
            {
                Report(PolicyCodes.Resources, "resources.requireLimits", $"has no {missing} limit", location, ".deploy.resources.limits", $"set deploy.resources.limits.{string.Join(" and deploy.resources.limits.", missing.Split(" and "))}");
            }
        }

        if (rule.RequireReservations)
        {
            var missing = Missing(("cpus", reservations?.ContainsKey("cpus") == true), ("memory", reservations?.ContainsKey("memory") == true || service.ContainsKey("mem_reservation")));
            if (missing.Length > 0)
            {
                Report(PolicyCodes.Resources, "resources.requireReservations", $"has no {missing} reservation (request)", location, ".deploy.resources.reservations", $"set deploy.resources.reservations.{string.Join(" and deploy.resources.reservations.", missing.Split(" and "))}");
            }
        }
    }

    private void Image()
    {
        if (_rules.Images is not { } rule || !service.TryGetEntry("image", out var entry) || Text(entry.Value) is not { } text)
        {
            return;
        }

        var image = ImageReference.Parse(text);
        if (rule.AllowedRegistries.Length > 0 && !rule.AllowedRegistries.Any(image.IsFrom))
        {
            Report(PolicyCodes.ImageRegistry, "images.allowedRegistries", $"uses image '{text}' from registry {image.Registry}, which the policy does not allow", entry.Key.Location, ".image", $"use an image from {string.Join(", ", rule.AllowedRegistries)}");
        }

        if (rule.RequireDigest && image.Digest is null)
        {
            Report(PolicyCodes.ImageDigest, "images.requireDigest", $"uses image '{text}' without a digest", entry.Key.Location, ".image", "pin the image: NAME[:TAG]@sha256:DIGEST");
        }

        if (rule.DenyLatest && image.Digest is null && image.Tag is null or "latest")
        {
            Report(PolicyCodes.ImageLatest, "images.denyLatest", image.Tag is null ? $"uses image '{text}' without a tag (latest)" : $"uses image '{text}' tagged latest", entry.Key.Location, ".image", "name a version tag or a digest");
        }
    }

    private void Restart()
    {
        if (_rules.Restart is not { } rule)
        {
            return;
        }

        if (service.TryGetEntry("restart", out var restart) && Text(restart.Value) is { } policy)
        {
            var bare = policy.Split(':')[0];
            if (!rule.AllowedPolicies.Contains(bare, StringComparer.Ordinal))
            {
                Report(PolicyCodes.RestartPolicy, "restart.allowedPolicies", $"restarts '{policy}', which the policy does not allow", restart.Key.Location, ".restart", $"use one of: {string.Join(", ", rule.AllowedPolicies)}");
            }
        }

        if ((service["deploy"] as MappingNode)?["restart_policy"] is MappingNode restartPolicy && restartPolicy.TryGetEntry("condition", out var condition) && Text(condition.Value) is { } swarm)
        {
            var asCompose = swarm switch { "none" => "no", "any" => "always", _ => swarm };
            if (!rule.AllowedPolicies.Contains(asCompose, StringComparer.Ordinal))
            {
                Report(PolicyCodes.RestartPolicy, "restart.allowedPolicies", $"restarts on condition '{swarm}' (Compose's '{asCompose}'), which the policy does not allow", condition.Key.Location, ".deploy.restart_policy.condition", $"use one of: {string.Join(", ", rule.AllowedPolicies)} (none = no, any = always)");
            }
        }
    }

    private void Replicas()
    {
        if (_rules.Replicas is not { } rule)
        {
            return;
        }

        var deploy = service["deploy"] as MappingNode;
        if (Text(deploy?["mode"]) is "global" or "global-job")
        {
            return;
        }

        long count = 1;
        var location = serviceKey.Location;
        var path = ".deploy.replicas";
        if (deploy is not null && deploy.TryGetEntry("replicas", out var replicas) && replicas.Value is ScalarNode r && r.TryGetInt64(out var n))
        {
            (count, location) = (n, replicas.Key.Location);
        }
        else if (service.TryGetEntry("scale", out var scale) && scale.Value is ScalarNode s && s.TryGetInt64(out var m))
        {
            (count, location, path) = (m, scale.Key.Location, ".scale");
        }

        if (count < rule.Min || count > rule.Max)
        {
            var bounds = $"{(rule.Min?.ToString(CultureInfo.InvariantCulture) ?? "0")}..{(rule.Max?.ToString(CultureInfo.InvariantCulture) ?? "any")}";
            Report(PolicyCodes.Replicas, "replicas", $"runs {count} replica(s), outside {bounds}", location, path, $"set deploy.replicas between {bounds}");
        }
    }

    private static string Missing(params (string Name, bool Present)[] parts)
        => string.Join(" and ", parts.Where(p => !p.Present).Select(p => p.Name));

    internal static string? Text(ComposeNode? node) => node is ScalarNode { IsNull: false } s ? s.AsString() : null;
}
