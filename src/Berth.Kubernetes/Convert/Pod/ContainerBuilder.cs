using Berth.Compose;
using Berth.Compose.Yaml;
using Berth.Kubernetes.Convert.Model;
using Berth.Kubernetes.Convert.Services;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Pod;

/// <summary>Builds the service's container: image, command, env, ports, mounts, probes, resources, security.</summary>
internal static class ContainerBuilder
{
    public static V1Container Build(ConversionContext context, ServiceUnit unit, IReadOnlyList<V1VolumeMount> mounts)
    {
        var node = unit.Node;
        var service = unit.ComposeName;
        var (liveness, readiness, startup) = ProbeBuilder.Build(context, unit);
        var container = new V1Container
        {
            Name = unit.Name,
            Image = Image(context, unit),
            ImagePullPolicy = PullPolicy(context, unit),
            Command = node.Seq("entrypoint") is { Count: > 0 } ? [.. node.Strings("entrypoint").Select(EnvBuilder.Escape)] : null,
            Args = node.Seq("command") is { Count: > 0 } ? [.. node.Strings("command").Select(EnvBuilder.Escape)] : null,
            WorkingDir = node.Str("working_dir"),
            Env = EnvBuilder.Build(unit),
            Ports = ContainerPorts(context, unit),
            VolumeMounts = mounts.Count == 0 ? null : [.. mounts],
            LivenessProbe = liveness,
            ReadinessProbe = readiness,
            StartupProbe = startup,
            Resources = ResourceBuilder.Build(context, unit),
            SecurityContext = SecurityBuilder.Build(context, unit),
            Tty = node.Bool("tty") ? true : null,
            Stdin = node.Bool("stdin_open") ? true : null,
            Lifecycle = Lifecycle(context, unit),
        };

        if (node.Seq("entrypoint") is { Count: 0 })
        {
            context.Fidelity.Approximated(service, "entrypoint", "an empty entrypoint cannot clear the image's ENTRYPOINT on Kubernetes; the image's entrypoint stays", node.LocationOf("entrypoint"));
        }

        return container;
    }

    private static string Image(ConversionContext context, ServiceUnit unit)
    {
        if (unit.Node.Str("image") is { Length: > 0 } image)
        {
            return image;
        }

        // Compose names a built image <project>-<service>; the user must build and push it under that name.
        var built = $"{context.Project.Name}-{unit.ComposeName}";
        context.Fidelity.Approximated(unit.ComposeName, "build", $"not built; the image '{built}' Compose would build is used, so build and push it first (or set image)", unit.Node.LocationOf("build"));
        return built;
    }

    private static string? PullPolicy(ConversionContext context, ServiceUnit unit)
    {
        if (unit.Settings.PullPolicy is { } explicitPolicy)
        {
            var normalised = explicitPolicy.ToLowerInvariant() switch
            {
                "always" => "Always",
                "ifnotpresent" => "IfNotPresent",
                "never" => "Never",
                _ => null,
            };
            if (normalised is null)
            {
                context.Diagnostics.Warning(KubernetesDiagnosticCodes.InvalidValue, $"pull policy '{explicitPolicy}' is not Always, IfNotPresent or Never; left to Kubernetes", unit.Node.Location, $"services.{unit.ComposeName}");
            }

            return normalised;
        }

        var policy = unit.Node.Str("pull_policy");
        var location = unit.Node.LocationOf("pull_policy");
        switch (policy)
        {
            case null:
                return null;
            case "always":
                return "Always";
            case "never":
                return "Never";
            case "missing" or "if_not_present":
                return "IfNotPresent";
            case "build":
                context.Fidelity.Approximated(unit.ComposeName, "pull_policy", "'build': Kubernetes cannot build; IfNotPresent", location);
                return "IfNotPresent";
            default:
                context.Fidelity.Approximated(unit.ComposeName, "pull_policy", $"'{policy}': Kubernetes cannot refresh on a schedule; Always", location);
                return "Always";
        }
    }

    /// <summary>
    /// One entry per containerPort and protocol: that pair is the list-map key of <c>containers[].ports</c>, and
    /// server-side apply refuses two entries with one key (kubernetes/kubernetes#113482). An entry holds one hostPort,
    /// so a target published in host mode on two ports keeps the first and reports the other.
    /// </summary>
    private static List<V1ContainerPort>? ContainerPorts(ConversionContext context, ServiceUnit unit)
    {
        var result = new List<V1ContainerPort>();
        var byKey = new Dictionary<(int, string), (V1ContainerPort Entry, string? HostKey)>();
        foreach (var port in PortSpec.Read(context, unit))
        {
            int? hostPort = port.IsHostMode ? port.Published ?? port.Target : null;
            var hostIp = port.IsHostMode && port.Key.StartsWith("ports", StringComparison.Ordinal) ? HostIp(unit, port.Key) : null;
            if (byKey.TryGetValue((port.Target, port.Protocol), out var existing))
            {
                if (hostPort is null || existing.Entry.HostPort == hostPort)
                {
                    continue;
                }

                if (existing.Entry.HostPort is { } kept)
                {
                    context.Fidelity.Approximated(unit.ComposeName, port.Key, $"hostPort {hostPort} is not set: a container lists {port.Target}/{port.Protocol} once (containerPort and protocol are the key of its ports), with one hostPort, and {existing.HostKey} has hostPort {kept}; the Service still reaches {port.Target}/{port.Protocol}", port.Location);
                    continue;
                }

                // The target was listed without a host port (ingress mode or expose): the host-mode port adds it.
                existing.Entry.HostPort = hostPort;
                existing.Entry.HostIP = hostIp;
                byKey[(port.Target, port.Protocol)] = (existing.Entry, port.Key);
            }
            else
            {
                var entry = new V1ContainerPort { ContainerPort = port.Target, Protocol = port.Protocol, HostPort = hostPort, HostIP = hostIp };
                byKey[(port.Target, port.Protocol)] = (entry, port.IsHostMode ? port.Key : null);
                result.Add(entry);
            }

            if (port.IsHostMode)
            {
                context.Fidelity.Mapped(unit.ComposeName, port.Key, $"hostPort {hostPort} on the node running the pod", port.Location);
            }
        }

        return result.Count == 0 ? null : Ordering.Stable(result, static (a, b) => a.ContainerPort.CompareTo(b.ContainerPort) is var byPort && byPort != 0 ? byPort : string.CompareOrdinal(a.Protocol, b.Protocol));
    }

    private static string? HostIp(ServiceUnit unit, string key)
    {
        var index = int.Parse(key[6..^1], System.Globalization.CultureInfo.InvariantCulture);
        return (unit.Node.Seq("ports")?[index] as MappingNode)?.Str("host_ip");
    }

    /// <summary>post_start/pre_stop → exec lifecycle hooks (Kubernetes runs one command per hook).</summary>
    private static V1Lifecycle? Lifecycle(ConversionContext context, ServiceUnit unit)
    {
        V1LifecycleHandler? Hook(string key)
        {
            if (unit.Node.Seq(key) is not { Count: > 0 } hooks || hooks[0] is not MappingNode first)
            {
                return null;
            }

            if (hooks.Count > 1)
            {
                context.Fidelity.Approximated(unit.ComposeName, key, "Kubernetes runs one command per hook; only the first is kept", unit.Node.LocationOf(key));
            }

            var command = first.Strings("command").ToList();
            return command.Count == 0 ? null : new V1LifecycleHandler { Exec = new V1ExecAction { Command = command } };
        }

        var postStart = Hook("post_start");
        var preStop = Hook("pre_stop");
        return postStart is null && preStop is null ? null : new V1Lifecycle { PostStart = postStart, PreStop = preStop };
    }
}
