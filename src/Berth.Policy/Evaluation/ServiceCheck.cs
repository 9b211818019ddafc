using System.Runtime.CompilerServices;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Policy.Evaluation;

/// <summary>
/// The rules applied to one service of the canonical project (long syntax everywhere, see canonical-form.md). Runs
/// once per service, so it only looks up: no LINQ, no per-service string building unless it reports.
/// </summary>
internal sealed class ServiceCheck(string name, ScalarNode serviceKey, MappingNode service, PreparedRules prepared, ProjectFacts project, ViolationBuffer found)
{
    private readonly Model.RuleSet _rules = prepared.Rules;

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

    public string Name => name;

    private void Report(string code, string rule, [InterpolatedStringHandlerArgument("")] ref ViolationText message, SourceLocation location, string path, string hint)
        => found.Add(new Diagnostic(code, prepared.Severity, message.Finish(rule, prepared.Name), location, string.Concat("services.", name, path), hint));

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

            if (!rule.Allow)
            {
                Report(PolicyCodes.BindMount, "bindMounts.allow", $"bind-mounts host path '{mount.Source}'{mount.Through}, which the policy denies", mount.Location, VolumePath(i), "use a named volume, a config or a secret instead of a host path");
                continue;
            }

            if (rule.AllowedPrefixes.Length > 0 && !prepared.UnderBindPrefix(mount.FullPath))
            {
                Report(PolicyCodes.BindMount, "bindMounts.allowedPrefixes", $"bind-mounts host path '{mount.Source}'{mount.Through}, outside the allowed folders", mount.Location, VolumePath(i), prepared.BindPrefixHint);
            }

            if (rule.RequireReadOnly && !mount.ReadOnly && Text(volume["read_only"]) != "true")
            {
                Report(PolicyCodes.BindMountWritable, "bindMounts.requireReadOnly", $"bind-mounts host path '{mount.Source}'{mount.Through} writable", mount.Location, VolumePath(i), mount.Through.Length == 0
                    ? "add ':ro' to the short syntax or 'read_only: true' to the long syntax"
                    : "add ':ro' (or 'read_only: true') to the service's volume, or 'ro' to the volume's driver_opts 'o'");
            }
        }
    }

    private static string VolumePath(int i) => $".volumes[{i}]";

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

        return type == "volume" && Text(volume["source"]) is { } volumeName ? project.HostFolderVolume(volumeName) : null;
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
                if (!prepared.Capabilities.Contains(capability))
                {
                    Report(PolicyCodes.Capability, "capabilities.allowed", $"adds capability {capability}, which the policy does not allow", adds[i].Location, $".cap_add[{i}]", prepared.CapabilityHint);
                }
            }
        }

        if (rule.RequireDropAll && !DropsAll())
        {
            var location = service.TryGetEntry("cap_drop", out var dropEntry) ? dropEntry.Key.Location : serviceKey.Location;
            Report(PolicyCodes.CapabilityDropAll, "capabilities.requireDropAll", $"does not drop all capabilities", location, ".cap_drop", "add 'cap_drop: [ALL]' and add back what the service needs with cap_add");
        }
    }

    private bool DropsAll()
    {
        if (service["cap_drop"] is not SequenceNode drops)
        {
            return false;
        }

        for (var i = 0; i < drops.Count; i++)
        {
            if (Model.Capabilities.Normalize(Text(drops[i]) ?? string.Empty) == "ALL")
            {
                return true;
            }
        }

        return false;
    }

    private void Devices()
    {
        if (_rules.AllowDevices is false && service.TryGetEntry("devices", out var devices) && devices.Value is SequenceNode { Count: > 0 })
        {
            Report(PolicyCodes.Device, "allowDevices", $"maps host devices, which the policy denies", devices.Key.Location, ".devices", "remove 'devices'");
        }

        if (_rules.AllowGpus is not false)
        {
            return;
        }

        if (service.TryGetEntry("gpus", out var gpus))
        {
            Report(PolicyCodes.Gpu, "allowGpus", $"requests GPUs, which the policy denies", gpus.Key.Location, ".gpus", "remove 'gpus'");
        }

        if (service["deploy"] is MappingNode deploy && deploy["resources"] is MappingNode resources
            && resources["reservations"] is MappingNode reservations && reservations.TryGetEntry("devices", out var reserved))
        {
            Report(PolicyCodes.Gpu, "allowGpus", $"reserves devices (GPUs), which the policy denies", reserved.Key.Location, ".deploy.resources.reservations.devices", "remove 'deploy.resources.reservations.devices'");
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
            Report(PolicyCodes.RunsAsRoot, "requireNonRoot", $"does not set 'user', so it may run as root (the image's user is not known before deploy)", serviceKey.Location, ".user", "set 'user' to a non-zero uid, e.g. 'user: \"10001:10001\"'");
            return;
        }

        var text = Text(user.Value) ?? string.Empty;
        var who = BeforeColon(text);
        if (who is "root" or "0" or "")
        {
            Report(PolicyCodes.RunsAsRoot, "requireNonRoot", $"runs as root (user '{Text(user.Value)}')", user.Key.Location, ".user", "set 'user' to a non-zero uid, e.g. 'user: \"10001:10001\"'");
        }
    }

    private void SecurityOptions()
    {
        var options = service["security_opt"] as SequenceNode;
        var forbidsEscalation = false;
        for (var i = 0; options is not null && i < options.Count; i++)
        {
            // Docker reads KEY=VALUE and KEY:VALUE alike; compare in the ':' spelling.
            var written = Text(options[i]) ?? string.Empty;
            var option = written.Contains('=', StringComparison.Ordinal) ? written.Replace('=', ':') : written;
            forbidsEscalation |= option is "no-new-privileges" or "no-new-privileges:true";
            if (_rules.AllowUnconfined is false
                && (option is "seccomp:unconfined" or "apparmor:unconfined" or "label:disable" or "systempaths:unconfined"
                    || option.StartsWith("label:user:", StringComparison.Ordinal) || option.StartsWith("label:role:", StringComparison.Ordinal)))
            {
                Report(PolicyCodes.Unconfined, "allowUnconfined", $"sets security_opt '{written}', which the policy denies", options[i].Location, $".security_opt[{i}]", "remove it: keep the runtime's default seccomp, AppArmor and SELinux confinement");
            }

            if (_rules.Selinux is not null && option.StartsWith("label:type:", StringComparison.Ordinal) && !prepared.SelinuxTypes.Contains(option["label:type:".Length..]))
            {
                Report(PolicyCodes.SelinuxType, "selinux.allowedTypes", $"sets SELinux type '{option["label:type:".Length..]}', which the policy does not allow", options[i].Location, $".security_opt[{i}]", prepared.SelinuxHint);
            }
        }

        if (_rules.RequireNoNewPrivileges is true && !forbidsEscalation)
        {
            var location = service.TryGetEntry("security_opt", out var entry) ? entry.Key.Location : serviceKey.Location;
            Report(PolicyCodes.NoNewPrivileges, "requireNoNewPrivileges", $"does not forbid privilege escalation", location, ".security_opt", "add 'security_opt: [\"no-new-privileges:true\"]'");
        }
    }

    private void Sysctls()
    {
        if (_rules.Sysctls is null || service["sysctls"] is not MappingNode sysctls)
        {
            return;
        }

        foreach (var entry in sysctls.Entries)
        {
            if (!prepared.AllowsSysctl(entry.Name))
            {
                Report(PolicyCodes.Sysctl, "sysctls.allowed", $"sets sysctl {entry.Name}, which the policy does not allow", entry.Key.Location, $".sysctls.{entry.Name}", prepared.SysctlHint);
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
                Report(PolicyCodes.HostModePort, "ports.allowHostMode", $"publishes a port in host mode (a host port), which the policy denies", port.Location, $".ports[{i}]", "publish through the ingress (the default mode), or remove 'mode: host'");
            }

            if (rule.AllowedPublished.Length > 0 && Text(port["published"]) is { Length: > 0 } published && !PublishedAllowed(rule.AllowedPublished, published))
            {
                Report(PolicyCodes.PublishedPort, "ports.allowedPublished", $"publishes port {published}, outside the allowed ranges", port.Location, $".ports[{i}]", prepared.PortHint);
            }
        }
    }

    /// <summary>A published port or range is allowed when it fits in one allowed range.</summary>
    private static bool PublishedAllowed(System.Collections.Immutable.ImmutableArray<Model.PortRange> allowed, string published)
    {
        if (!Model.PortRangeParser.TryParse(published, out var range))
        {
            return false;
        }

        foreach (var r in allowed)
        {
            if (r.Contains(range.First) && r.Contains(range.Last))
            {
                return true;
            }
        }

        return false;
    }

    private void Resources()
    {
        if (_rules.Resources is not { } rule)
        {
            return;
        }

        var resources = (service["deploy"] as MappingNode)?["resources"] as MappingNode;
        if (rule.RequireLimits)
        {
            var limits = resources?["limits"] as MappingNode;
            var missing = Missing(limits?.ContainsKey("cpus") == true || service.ContainsKey("cpus"), limits?.ContainsKey("memory") == true || service.ContainsKey("mem_limit"));
            if (missing is not null)
            {
                Report(PolicyCodes.Resources, "resources.requireLimits", $"has no {missing} limit", DeployLocation(), ".deploy.resources.limits", ResourceHint("limits", missing));
            }
        }

        if (rule.RequireReservations)
        {
            var reservations = resources?["reservations"] as MappingNode;
            var missing = Missing(reservations?.ContainsKey("cpus") == true, reservations?.ContainsKey("memory") == true || service.ContainsKey("mem_reservation"));
            if (missing is not null)
            {
                Report(PolicyCodes.Resources, "resources.requireReservations", $"has no {missing} reservation (request)", DeployLocation(), ".deploy.resources.reservations", ResourceHint("reservations", missing));
            }
        }
    }

    /// <summary>Constant hints (one per case), so a project of unlimited services does not build one per service.</summary>
    private static string ResourceHint(string kind, string missing) => (kind, missing) switch
    {
        ("limits", "cpus") => "set deploy.resources.limits.cpus",
        ("limits", "memory") => "set deploy.resources.limits.memory",
        ("limits", _) => "set deploy.resources.limits.cpus and deploy.resources.limits.memory",
        (_, "cpus") => "set deploy.resources.reservations.cpus",
        (_, "memory") => "set deploy.resources.reservations.memory",
        _ => "set deploy.resources.reservations.cpus and deploy.resources.reservations.memory",
    };

    private SourceLocation DeployLocation() => service.TryGetEntry("deploy", out var deploy) ? deploy.Key.Location : serviceKey.Location;

    /// <summary>"cpus", "memory", "cpus and memory", or null when both are present.</summary>
    private static string? Missing(bool cpus, bool memory) => (cpus, memory) switch
    {
        (true, true) => null,
        (false, true) => "cpus",
        (true, false) => "memory",
        _ => "cpus and memory",
    };

    private void Image()
    {
        if (_rules.Images is not { } rule || !service.TryGetEntry("image", out var entry) || Text(entry.Value) is not { } text)
        {
            return;
        }

        var image = ImageReference.Parse(text);
        if (prepared.Registries.Length > 0 && !image.IsFromAny(prepared.Registries))
        {
            Report(PolicyCodes.ImageRegistry, "images.allowedRegistries", $"uses image '{text}' from registry {image.Registry}, which the policy does not allow", entry.Key.Location, ".image", prepared.RegistryHint);
        }

        if (rule.RequireDigest && image.Digest is null)
        {
            Report(PolicyCodes.ImageDigest, "images.requireDigest", $"uses image '{text}' without a digest", entry.Key.Location, ".image", "pin the image: NAME[:TAG]@sha256:DIGEST");
        }

        if (rule.DenyLatest && image.Digest is null && image.Tag is null or "latest")
        {
            if (image.Tag is null)
            {
                Report(PolicyCodes.ImageLatest, "images.denyLatest", $"uses image '{text}' without a tag (latest)", entry.Key.Location, ".image", "name a version tag or a digest");
            }
            else
            {
                Report(PolicyCodes.ImageLatest, "images.denyLatest", $"uses image '{text}' tagged latest", entry.Key.Location, ".image", "name a version tag or a digest");
            }
        }
    }

    private void Restart()
    {
        if (_rules.Restart is null)
        {
            return;
        }

        if (service.TryGetEntry("restart", out var restart) && Text(restart.Value) is { } policy && !prepared.RestartPolicies.Contains(BeforeColon(policy)))
        {
            Report(PolicyCodes.RestartPolicy, "restart.allowedPolicies", $"restarts '{policy}', which the policy does not allow", restart.Key.Location, ".restart", prepared.RestartHint);
        }

        if ((service["deploy"] as MappingNode)?["restart_policy"] is MappingNode restartPolicy && restartPolicy.TryGetEntry("condition", out var condition) && Text(condition.Value) is { } swarm)
        {
            var asCompose = swarm switch { "none" => "no", "any" => "always", _ => swarm };
            if (!prepared.RestartPolicies.Contains(asCompose))
            {
                Report(PolicyCodes.RestartPolicy, "restart.allowedPolicies", $"restarts on condition '{swarm}' (Compose's '{asCompose}'), which the policy does not allow", condition.Key.Location, ".deploy.restart_policy.condition", $"{prepared.RestartHint} (none = no, any = always)");
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
            Report(PolicyCodes.Replicas, "replicas", $"runs {count} replica(s), outside {prepared.ReplicaBounds}", location, path, $"set deploy.replicas between {prepared.ReplicaBounds}");
        }
    }

    private static string BeforeColon(string text)
    {
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? text : text[..colon];
    }

    internal static string? Text(ComposeNode? node) => node is ScalarNode { IsNull: false } s ? s.AsString() : null;
}
