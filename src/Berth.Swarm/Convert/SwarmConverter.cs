using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
using Berth.Stacks;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>
/// Compose project → Swarm specs, mapping every key the way <c>docker stack deploy</c> does
/// (docker/cli 20.10, <c>cli/compose/convert</c>). Pure: no I/O, no clock; file contents come in through
/// <see cref="SwarmConvertOptions.Contents"/>. Keys Swarm cannot honour become diagnostics, never silence.
/// </summary>
public static class SwarmConverter
{
    public const string DefaultNetworkDriver = "overlay";

    // Keys of a service this converter maps to the spec.
    private static readonly FrozenSet<string> s_mappedServiceKeys = FrozenSet.Create(StringComparer.Ordinal,
    [
        "image", "command", "entrypoint", "environment", "labels", "hostname", "user", "working_dir", "read_only",
        "tty", "stdin_open", "init", "stop_grace_period", "stop_signal", "cap_add", "cap_drop", "sysctls", "ulimits",
        "dns", "dns_search", "dns_opt", "extra_hosts", "logging", "healthcheck", "ports", "networks", "volumes",
        "secrets", "configs", "deploy", "restart", "tmpfs", "oom_score_adj", "isolation", "scale", "group_add",
    ]);

    // Keys Swarm has no use for; a note says so, since the app may rely on them under Compose.
    private static readonly FrozenDictionary<string, string> s_ignoredServiceKeys = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["depends_on"] = "Swarm starts services in no particular order; make the service retry its dependencies",
        ["expose"] = "on an overlay network every port is reachable by other services",
        ["container_name"] = "Swarm names containers <stack>_<service>.<slot>.<task>",
        ["build"] = "Swarm deploys images only; build and push the image first",
        ["pull_policy"] = "each node pulls the image when a task needs it",
        ["profiles"] = "profiles are applied when loading",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_deployKeys = FrozenSet.Create(StringComparer.Ordinal,
    [
        "mode", "replicas", "labels", "resources", "restart_policy", "placement", "update_config", "rollback_config", "endpoint_mode",
    ]);

    public static SwarmPlan Convert(ComposeProject project, SwarmConvertOptions options)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(options);
        var context = new Context(project, options);

        var secrets = ConvertSecretsOrConfigs(context, "secrets", project.Secrets);
        var configs = ConvertSecretsOrConfigs(context, "configs", project.Configs);
        var usedNetworks = new SortedSet<string>(StringComparer.Ordinal);
        var services = ImmutableArray.CreateBuilder<SwarmServicePlan>();
        foreach (var entry in project.Services.Entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.Value is MappingNode service)
            {
                services.Add(ConvertService(context, entry.Name, service, secrets, configs, usedNetworks));
            }
        }

        var networks = ConvertNetworks(context, usedNetworks);
        return new SwarmPlan(
            options.Stack,
            services.ToImmutable(),
            networks,
            [.. secrets.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(d => new SwarmSecretPlan(d.ComposeName, d.Name, d.External, d.External ? null : new SwarmSecretSpec { Name = d.Name, Labels = d.Labels, Data = d.Data }))],
            [.. configs.Values.OrderBy(c => c.Name, StringComparer.Ordinal).Select(d => new SwarmConfigPlan(d.ComposeName, d.Name, d.External, d.External ? null : new SwarmConfigSpec { Name = d.Name, Labels = d.Labels, Data = d.Data }))],
            context.Diagnostics.ToImmutable());
    }

    /// <summary><c>&lt;stack&gt;_&lt;name&gt;</c>, docker's <c>Scope</c>.</summary>
    public static string Scope(string stack, string name) => stack + "_" + name;

    /// <summary>The hash recorded in <see cref="SwarmLabels.SpecHash"/>: over the spec as converted, before the label is added.</summary>
    public static string HashSpec(ServiceSpec spec)
        => System.Convert.ToHexStringLower(SHA256.HashData(SwarmJson.SerializeToUtf8Bytes(spec)))[..16];

    private static SwarmServicePlan ConvertService(
        Context context,
        string name,
        MappingNode service,
        IReadOnlyDictionary<string, ResourceDraft> secrets,
        IReadOnlyDictionary<string, ResourceDraft> configs,
        SortedSet<string> usedNetworks)
    {
        var path = "services." + name;
        ReportUnmappedKeys(context, service, path);
        var image = service.Str("image");
        if (string.IsNullOrEmpty(image))
        {
            context.Diagnostics.Error(SwarmDiagnosticCodes.NoImage, $"service '{name}' has no image; Swarm cannot build images", service.Location, path, "set 'image' to an image every node can pull");
            image = string.Empty;
        }

        var deploy = service.Map("deploy") ?? MappingNode.Empty(service.Location);
        var container = new ContainerSpec
        {
            Image = WithDefaultTag(image),

            // docker sends an empty privileges block (credential_spec is its only use); the engine stores it as sent.
            Privileges = new Privileges(),
            Labels = Labels(service.StringMap("labels"), context.Stack),
            Command = service.Strings("entrypoint"),
            Args = service.Strings("command"),
            Hostname = service.Str("hostname"),
            Env = Environment(service),
            Dir = service.Str("working_dir"),
            User = service.Str("user"),
            Groups = service.Strings("group_add"),
            Init = service.Bool("init"),
            StopSignal = service.Str("stop_signal"),
            TTY = service.Bool("tty"),
            OpenStdin = service.Bool("stdin_open"),
            ReadOnly = service.Bool("read_only"),
            StopGracePeriod = service.Duration("stop_grace_period"),
            Healthcheck = Healthcheck(context, service, path),
            Hosts = ExtraHosts(service),
            DNSConfig = Dns(service),
            Isolation = service.Str("isolation"),
            Sysctls = Sorted(service.StringMap("sysctls")),
            CapabilityAdd = Capabilities(service.Strings("cap_add")),
            CapabilityDrop = Capabilities(service.Strings("cap_drop")),
            Ulimits = Ulimits(service),
            OomScoreAdj = service.Int("oom_score_adj"),
            Mounts = Mounts(context, service, path),
            Secrets = SecretReferences(context, service, path, secrets),
            Configs = ConfigReferences(context, service, path, configs),
        };

        var spec = new ServiceSpec
        {
            Name = Scope(context.Stack, name),
            Labels = ServiceLabels(deploy.StringMap("labels"), context.Stack, image),
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = container,
                Resources = Resources(deploy),
                RestartPolicy = RestartPolicy(context, service, deploy, path),
                Placement = Placement(deploy),
                Networks = NetworkAttachments(context, name, service, path, usedNetworks),
                LogDriver = Logging(service),
            },
            Mode = Mode(context, service, deploy, path),
            UpdateConfig = UpdateConfig(deploy.Map("update_config")),
            RollbackConfig = UpdateConfig(deploy.Map("rollback_config")),
            EndpointSpec = Endpoint(context, service, deploy, path),
        };

        var hash = HashSpec(spec);
        spec.Labels[SwarmLabels.SpecHash] = hash;
        return new SwarmServicePlan(name, spec, hash);
    }

    private static void ReportUnmappedKeys(Context context, MappingNode service, string path)
    {
        foreach (var entry in service.Entries)
        {
            var key = entry.Name;
            if (s_mappedServiceKeys.Contains(key) || key.StartsWith("x-", StringComparison.Ordinal))
            {
                continue;
            }

            if (s_ignoredServiceKeys.TryGetValue(key, out var why))
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Ignored, $"'{key}' is ignored on Swarm: {why}", entry.Value.Location, $"{path}.{key}");
            }
            else
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'{key}' is not supported by Swarm services and is ignored", entry.Value.Location, $"{path}.{key}");
            }
        }

        if (service.Map("deploy") is { } deploy)
        {
            foreach (var entry in deploy.Entries.Where(e => !s_deployKeys.Contains(e.Name) && !e.Name.StartsWith("x-", StringComparison.Ordinal)))
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'deploy.{entry.Name}' is not supported by Swarm and is ignored", entry.Value.Location, $"{path}.deploy.{entry.Name}");
            }

            if (deploy.Map("resources")?.Map("reservations")?["devices"] is { } devices)
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, "device reservations are not supported by Swarm (use generic_resources)", devices.Location, $"{path}.deploy.resources.reservations.devices");
            }
        }

        if (service.Str("restart") is { } && deploy_has(service, "restart_policy"))
        {
            context.Diagnostics.Warning(SwarmDiagnosticCodes.Ignored, "'restart' is ignored because deploy.restart_policy is set", service["restart"]!.Location, $"{path}.restart");
        }

        static bool deploy_has(MappingNode s, string key) => s.Map("deploy")?.ContainsKey(key) == true;
    }

    /// <summary>docker's client adds <c>:latest</c> to an image reference without tag or digest.</summary>
    internal static string WithDefaultTag(string image)
    {
        if (image.Length == 0 || image.Contains('@', StringComparison.Ordinal))
        {
            return image;
        }

        var lastSlash = image.LastIndexOf('/');
        return image.IndexOf(':', lastSlash + 1) >= 0 ? image : image + ":latest";
    }

    private static Dictionary<string, string> Labels(Dictionary<string, string>? labels, string stack)
    {
        var all = new Dictionary<string, string>(labels ?? [], StringComparer.Ordinal)
        {
            [StackLabels.StackNamespace] = stack,
        };
        return Sorted(all)!;
    }

    private static Dictionary<string, string> ServiceLabels(Dictionary<string, string>? labels, string stack, string image)
    {
        var all = Labels(labels, stack);
        all[SwarmLabels.StackImage] = image;
        return Sorted(all)!;
    }

    private static Dictionary<string, string>? Sorted(Dictionary<string, string>? map)
        => map?.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static List<string>? Environment(MappingNode service)
    {
        if (service.Map("environment") is not { Count: > 0 } env)
        {
            return null;
        }

        // docker sorts K=V; a key with no value stays bare so the engine takes it from nowhere (it is unset).
        return [.. env.Entries
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => e.Value is ScalarNode { IsNull: false } s ? $"{e.Name}={s.AsString()}" : e.Name)];
    }

    private static HealthcheckConfig? Healthcheck(Context context, MappingNode service, string path)
    {
        if (service.Map("healthcheck") is not { } hc)
        {
            return null;
        }

        var test = hc.Strings("test");
        if (hc.Bool("disable") == true)
        {
            if (test is { Count: > 0 })
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, "healthcheck.disable cannot be combined with healthcheck.test", hc.Location, path + ".healthcheck");
            }

            test = ["NONE"];
        }

        return new HealthcheckConfig
        {
            Test = test,
            Interval = hc.Duration("interval"),
            Timeout = hc.Duration("timeout"),
            StartPeriod = hc.Duration("start_period"),
            StartInterval = hc.Duration("start_interval"),
            Retries = hc.Int("retries"),
        };
    }

    private static List<string>? ExtraHosts(MappingNode service)
    {
        if (service.Map("extra_hosts") is not { Count: > 0 } hosts)
        {
            return null;
        }

        // Engine format is "IP host", one line per address, in the order written.
        var result = new List<string>();
        foreach (var entry in hosts.Entries)
        {
            var ips = entry.Value switch
            {
                SequenceNode seq => seq.Items.OfType<ScalarNode>().Select(s => s.AsString()),
                ScalarNode s => [s.AsString()],
                _ => [],
            };
            result.AddRange(ips.Select(ip => $"{ip} {entry.Name}"));
        }

        return result;
    }

    private static DNSConfig? Dns(MappingNode service)
    {
        var servers = service.Strings("dns");
        var search = service.Strings("dns_search");
        var options = service.Strings("dns_opt");
        return servers is { Count: > 0 } || search is { Count: > 0 } || options is { Count: > 0 }
            ? new DNSConfig { Nameservers = servers, Search = search, Options = options }
            : null;
    }

    /// <summary>Like docker's capability normalisation: upper case, <c>CAP_</c> prefix, <c>ALL</c> kept.</summary>
    internal static List<string>? Capabilities(List<string>? caps)
    {
        if (caps is null)
        {
            return null;
        }

        var result = new List<string>();
        foreach (var raw in caps)
        {
            var cap = raw.Trim().ToUpperInvariant();
            if (cap.Length == 0)
            {
                continue;
            }

            if (cap != "ALL" && !cap.StartsWith("CAP_", StringComparison.Ordinal))
            {
                cap = "CAP_" + cap;
            }

            if (!result.Contains(cap))
            {
                result.Add(cap);
            }
        }

        return result;
    }

    private static List<Ulimit>? Ulimits(MappingNode service)
    {
        if (service.Map("ulimits") is not { Count: > 0 } limits)
        {
            return null;
        }

        return [.. limits.Entries
            .OrderBy(e => e.Name, StringComparer.Ordinal)
            .Select(e => e.Value is MappingNode m
                ? new Ulimit { Name = e.Name, Soft = m.Int("soft") ?? 0, Hard = m.Int("hard") ?? 0 }
                : new Ulimit { Name = e.Name, Soft = (e.Value as ScalarNode)?.TryGetInt64(out var v) == true ? v : 0, Hard = (e.Value as ScalarNode)?.TryGetInt64(out var h) == true ? h : 0 })];
    }

    private static SwarmDriver? Logging(MappingNode service)
    {
        if (service.Map("logging") is not { } logging)
        {
            return null;
        }

        return new SwarmDriver { Name = logging.Str("driver"), Options = Sorted(logging.StringMap("options")) };
    }

    // Never null: docker stack deploy always sends a resources and a placement block, and the engine stores a
    // spec as sent, so a missing one would be a task-template change (a restart) when either tool takes over.
    private static ResourceRequirements Resources(MappingNode deploy)
    {
        if (deploy.Map("resources") is not { } resources)
        {
            return new ResourceRequirements();
        }

        var result = new ResourceRequirements();
        if (resources.Map("limits") is { } limits)
        {
            result.Limits = new SwarmLimit { NanoCPUs = NanoCpus(limits), MemoryBytes = limits.Int("memory"), Pids = limits.Int("pids") };
        }

        if (resources.Map("reservations") is { } reservations)
        {
            result.Reservations = new SwarmResources
            {
                NanoCPUs = NanoCpus(reservations),
                MemoryBytes = reservations.Int("memory"),
                GenericResources = reservations.Seq("generic_resources") is { } generic
                    ? [.. generic.Items.OfType<MappingNode>().Select(GenericResource).OfType<GenericResource>()]
                    : null,
            };
        }

        return result;
    }

    private static GenericResource? GenericResource(MappingNode node)
    {
        if (node.Map("discrete_resource_spec") is { } discrete)
        {
            return new GenericResource { DiscreteResourceSpec = new DiscreteGenericResource { Kind = discrete.Str("kind"), Value = discrete.Int("value") } };
        }

        return node.Map("named_resource_spec") is { } named
            ? new GenericResource { NamedResourceSpec = new NamedGenericResource { Kind = named.Str("kind"), Value = named.Str("value") } }
            : null;
    }

    private static long? NanoCpus(MappingNode node)
        => node.Double("cpus") is { } cpus ? (long)Math.Round(cpus * 1e9) : null;

    private static SwarmRestartPolicy? RestartPolicy(Context context, MappingNode service, MappingNode deploy, string path)
    {
        if (deploy.Map("restart_policy") is { } policy)
        {
            return new SwarmRestartPolicy
            {
                Condition = policy.Str("condition"),
                Delay = policy.Duration("delay"),
                MaxAttempts = policy.Int("max_attempts") is { } n ? (ulong)Math.Max(0, n) : null,
                Window = policy.Duration("window"),
            };
        }

        // docker stack falls back to the Compose 'restart' key when deploy.restart_policy is absent.
        if (service.Str("restart") is not { } restart)
        {
            return null;
        }

        switch (restart)
        {
            case "no":
                return null;
            case "always" or "unless-stopped":
                return new SwarmRestartPolicy { Condition = "any" };
            case "on-failure":
                return new SwarmRestartPolicy { Condition = "on-failure" };
        }

        if (restart.StartsWith("on-failure:", StringComparison.Ordinal)
            && ulong.TryParse(restart["on-failure:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var attempts))
        {
            return new SwarmRestartPolicy { Condition = "on-failure", MaxAttempts = attempts };
        }

        context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, $"invalid restart policy '{restart}'", service["restart"]!.Location, path + ".restart", "use no, always, unless-stopped, on-failure or on-failure:N");
        return null;
    }

    private static Placement Placement(MappingNode deploy)
    {
        if (deploy.Map("placement") is not { } placement)
        {
            return new Placement();
        }

        return new Placement
        {
            Constraints = placement.Strings("constraints"),
            Preferences = placement.Seq("preferences") is { } prefs
                ? [.. prefs.Items.OfType<MappingNode>().Select(p => p.Str("spread")).OfType<string>().Select(s => new PlacementPreference { Spread = new SpreadOver { SpreadDescriptor = s } })]
                : null,
            MaxReplicas = placement.Int("max_replicas_per_node") is { } max ? (ulong)Math.Max(0, max) : null,
        };
    }

    private static ServiceMode Mode(Context context, MappingNode service, MappingNode deploy, string path)
    {
        // 'scale' is the Compose-spec spelling of replicas; deploy.replicas wins when both are set.
        var replicas = deploy.Int("replicas") ?? service.Int("scale");
        ulong? count = replicas is { } r ? (ulong)Math.Max(0, r) : null;
        var mode = deploy.Str("mode") ?? "replicated";
        switch (mode)
        {
            case "replicated" or "":
                return new ServiceMode { Replicated = new ReplicatedService { Replicas = count } };
            case "global":
                if (replicas is not null)
                {
                    context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, "replicas cannot be set with mode: global", deploy.Location, path + ".deploy.replicas");
                }

                return new ServiceMode { Global = new GlobalService() };
            case "replicated-job":
                return new ServiceMode { ReplicatedJob = new ReplicatedJob { MaxConcurrent = count ?? 1, TotalCompletions = count ?? 1 } };
            case "global-job":
                return new ServiceMode { GlobalJob = new GlobalJob() };
            default:
                context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, $"unknown mode '{mode}'", deploy["mode"]!.Location, path + ".deploy.mode", "use replicated, global, replicated-job or global-job");
                return new ServiceMode { Replicated = new ReplicatedService { Replicas = count } };
        }
    }

    private static SwarmUpdateConfig? UpdateConfig(MappingNode? node)
    {
        if (node is null)
        {
            return null;
        }

        return new SwarmUpdateConfig
        {
            // docker uses 1 when the block exists without parallelism (the engine's 0 would mean "all at once").
            Parallelism = node.Int("parallelism") is { } p ? (ulong)Math.Max(0, p) : 1,
            Delay = node.Duration("delay"),
            FailureAction = node.Str("failure_action"),
            Monitor = node.Duration("monitor"),
            MaxFailureRatio = (float)(node.Double("max_failure_ratio") ?? 0),
            Order = node.Str("order")!,
        };
    }

    private static EndpointSpec Endpoint(Context context, MappingNode service, MappingNode deploy, string path)
    {
        var ports = new List<PortConfig>();
        if (service.Seq("ports") is { } seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                if (seq[i] is not MappingNode port)
                {
                    continue;
                }

                var portPath = $"{path}.ports[{i}]";
                if (port.Str("host_ip") is { Length: > 0 } ip)
                {
                    context.Diagnostics.Warning(SwarmDiagnosticCodes.Approximated, $"host IP {ip} is ignored: Swarm publishes on every address", port.Location, portPath + ".host_ip");
                }

                uint? published = null;
                if (port.Str("published") is { Length: > 0 } pub)
                {
                    if (uint.TryParse(pub, NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                    {
                        published = p;
                    }
                    else
                    {
                        context.Diagnostics.Error(SwarmDiagnosticCodes.InvalidValue, $"published port range '{pub}' for one target port is not supported by Swarm", port.Location, portPath + ".published", "publish one port per target");
                    }
                }

                ports.Add(new PortConfig
                {
                    Protocol = port.Str("protocol") ?? "tcp",
                    TargetPort = port.Int("target") is { } t ? (uint)t : null,
                    PublishedPort = published,
                    PublishMode = port.Str("mode") ?? "ingress",
                });
            }
        }

        // docker always sends an endpoint spec; the engine's default resolution mode is vip.
        return new EndpointSpec
        {
            Mode = deploy.Str("endpoint_mode") ?? "vip",
            Ports = ports.Count == 0 ? null : [.. ports.OrderBy(p => p.PublishedPort ?? 0).ThenBy(p => p.TargetPort ?? 0).ThenBy(p => p.Protocol, StringComparer.Ordinal)],
        };
    }

    private static List<NetworkAttachmentConfig>? NetworkAttachments(Context context, string serviceName, MappingNode service, string path, SortedSet<string> used)
    {
        if (service.Map("networks") is not { Count: > 0 } networks)
        {
            if (service.Str("network_mode") is null)
            {
                // The loader adds networks: {default: null}; this is only a fallback for hand-made projects.
                used.Add("default");
                return [new NetworkAttachmentConfig { Target = context.NetworkName("default"), Aliases = [serviceName] }];
            }

            return null;
        }

        var result = new List<NetworkAttachmentConfig>();
        foreach (var entry in networks.Entries)
        {
            if (!context.Project.Networks.ContainsKey(entry.Name) && entry.Name != "default")
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined network '{entry.Name}'", entry.Value.Location, $"{path}.networks.{entry.Name}");
                continue;
            }

            used.Add(entry.Name);
            var target = context.NetworkName(entry.Name);
            var attachment = entry.Value as MappingNode;
            foreach (var key in new[] { "ipv4_address", "ipv6_address", "link_local_ips", "mac_address", "priority", "gw_priority", "interface_name" })
            {
                if (attachment?[key] is { } unsupported)
                {
                    context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'{key}' is not supported by Swarm and is ignored", unsupported.Location, $"{path}.networks.{entry.Name}.{key}");
                }
            }

            // Built-in networks (host, bridge, none) take no aliases; user-defined ones get the short service name, as docker does.
            var builtIn = context.IsExternal(entry.Name) && target is "host" or "bridge" or "none";
            // docker appends the service name after the user's aliases.
            List<string>? aliases = builtIn ? null : [.. attachment?.Strings("aliases") ?? [], serviceName];
            result.Add(new NetworkAttachmentConfig
            {
                Target = target,
                Aliases = aliases?.Distinct(StringComparer.Ordinal).ToList(),
                DriverOpts = Sorted(attachment?.StringMap("driver_opts")),
            });
        }

        return [.. result.OrderBy(n => n.Target, StringComparer.Ordinal)];
    }

    private static ImmutableArray<SwarmNetworkPlan> ConvertNetworks(Context context, SortedSet<string> used)
    {
        var result = ImmutableArray.CreateBuilder<SwarmNetworkPlan>();
        foreach (var key in used)
        {
            var node = context.Project.Networks.Map(key) ?? MappingNode.Empty(context.Project.Root.Location);
            var name = context.NetworkName(key);
            if (context.IsExternal(key))
            {
                result.Add(new SwarmNetworkPlan(key, name, External: true, Create: null));
                continue;
            }

            var ipam = node.Map("ipam");
            result.Add(new SwarmNetworkPlan(key, name, External: false, new NetworksCreateParameters
            {
                Name = name,
                Driver = node.Str("driver") is { Length: > 0 } driver ? driver : DefaultNetworkDriver,
                Options = Sorted(node.StringMap("driver_opts"))!,
                Internal = node.Bool("internal") ?? false,
                Attachable = node.Bool("attachable") ?? false,
                Labels = Labels(node.StringMap("labels"), context.Stack),
                IPAM = ipam is null ? null : new IPAM
                {
                    Driver = ipam.Str("driver")!,
                    Config = ipam.Seq("config") is { } configs
                        ? [.. configs.Items.OfType<MappingNode>().Select(c => new IPAMConfig { Subnet = c.Str("subnet")! })]
                        : null!,
                },
            }));
        }

        return result.ToImmutable();
    }

    private static List<Mount>? Mounts(Context context, MappingNode service, string path)
    {
        var result = new List<Mount>();
        if (service.Seq("volumes") is { } volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i] is MappingNode volume && Mount(context, volume, $"{path}.volumes[{i}]") is { } mount)
                {
                    result.Add(mount);
                }
            }
        }

        // The service-level tmpfs key: docker stack drops it silently; Swarm can honour it as tmpfs mounts.
        foreach (var tmpfs in service.Strings("tmpfs") ?? [])
        {
            var target = tmpfs.Split(':', 2)[0];
            result.Add(new Mount { Type = "tmpfs", Target = target });
            if (tmpfs.Contains(':', StringComparison.Ordinal))
            {
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Approximated, $"tmpfs options in '{tmpfs}' are ignored; use a long-syntax tmpfs volume with tmpfs.size", service["tmpfs"]!.Location, path + ".tmpfs");
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static Mount? Mount(Context context, MappingNode volume, string path)
    {
        var type = volume.Str("type") ?? "volume";
        var source = volume.Str("source");
        var mount = new Mount
        {
            Type = type,
            Target = volume.Str("target"),
            ReadOnly = volume.Bool("read_only") == true ? true : null,
            Consistency = volume.Str("consistency"),
        };
        switch (type)
        {
            case "volume":
                if (string.IsNullOrEmpty(source))
                {
                    return mount;
                }

                if (context.Project.Volumes.Map(source) is not { } declared && !context.Project.Volumes.ContainsKey(source))
                {
                    context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined volume '{source}'", volume.Location, path + ".source");
                    return null;
                }
                else
                {
                    declared = context.Project.Volumes.Map(source) ?? MappingNode.Empty(volume.Location);
                    var options = volume.Map("volume");
                    if (declared.Bool("external") == true)
                    {
                        mount.Source = declared.Str("name") ?? source;
                        mount.VolumeOptions = options?.Bool("nocopy") == true ? new VolumeOptions { NoCopy = true } : null;
                        return mount;
                    }

                    mount.Source = context.ScopedName(source, declared);
                    mount.VolumeOptions = new VolumeOptions
                    {
                        Labels = Labels(declared.StringMap("labels"), context.Stack),
                        NoCopy = options?.Bool("nocopy") == true ? true : null,
                        Subpath = options?.Str("subpath"),
                        DriverConfig = declared.Str("driver") is { } driver
                            ? new Driver { Name = driver, Options = Sorted(declared.StringMap("driver_opts")) }
                            : null,
                    };
                    return mount;
                }

            case "bind":
                mount.Source = source;
                if (volume.Map("bind") is { } bind)
                {
                    if (bind.Str("propagation") is { } propagation)
                    {
                        mount.BindOptions = new BindOptions { Propagation = propagation };
                    }

                    if (bind.Str("selinux") is { } && bind["selinux"] is { } selinux)
                    {
                        context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, "bind.selinux relabelling is not supported by Swarm and is ignored", selinux.Location, path + ".bind.selinux");
                    }
                }

                return mount;
            case "tmpfs":
                if (volume.Map("tmpfs") is { } tmpfs)
                {
                    mount.TmpfsOptions = new TmpfsOptions
                    {
                        SizeBytes = tmpfs.Int("size"),
                        Mode = tmpfs.Int("mode") is { } m ? (uint)m : null,
                    };
                }

                return mount;
            case "npipe" or "cluster":
                mount.Source = source;
                return mount;
            default:
                context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"volume type '{type}' is not supported by Swarm and is ignored", volume.Location, path + ".type");
                return null;
        }
    }

    private static List<SecretReference>? SecretReferences(Context context, MappingNode service, string path, IReadOnlyDictionary<string, ResourceDraft> secrets)
    {
        if (service.Seq("secrets") is not { Count: > 0 } refs)
        {
            return null;
        }

        var result = new List<SecretReference>();
        for (var i = 0; i < refs.Count; i++)
        {
            if (refs[i] is not MappingNode r || r.Str("source") is not { } source)
            {
                continue;
            }

            if (!secrets.TryGetValue(source, out var secret))
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined secret '{source}'", r.Location, $"{path}.secrets[{i}]");
                continue;
            }

            result.Add(new SecretReference
            {
                SecretName = secret.Name,
                File = new SecretReferenceFileTarget
                {
                    Name = r.Str("target") ?? source,
                    UID = r.Str("uid") ?? "0",
                    GID = r.Str("gid") ?? "0",
                    Mode = r.Int("mode") is { } mode ? (uint)mode : 0x124, // 0444
                },
            });
        }

        // Stable sort by name, as docker: references to the same secret keep the order written.
        return [.. result.OrderBy(s => s.SecretName, StringComparer.Ordinal)];
    }

    private static List<SwarmConfigReference>? ConfigReferences(Context context, MappingNode service, string path, IReadOnlyDictionary<string, ResourceDraft> configs)
    {
        if (service.Seq("configs") is not { Count: > 0 } refs)
        {
            return null;
        }

        var result = new List<SwarmConfigReference>();
        for (var i = 0; i < refs.Count; i++)
        {
            if (refs[i] is not MappingNode r || r.Str("source") is not { } source)
            {
                continue;
            }

            if (!configs.TryGetValue(source, out var config))
            {
                context.Diagnostics.Error(SwarmDiagnosticCodes.UndefinedReference, $"undefined config '{source}'", r.Location, $"{path}.configs[{i}]");
                continue;
            }

            result.Add(new SwarmConfigReference
            {
                ConfigName = config.Name,
                File = new ConfigReferenceFileTarget
                {
                    Name = r.Str("target") ?? source,
                    UID = r.Str("uid") ?? "0",
                    GID = r.Str("gid") ?? "0",
                    Mode = r.Int("mode") is { } mode ? (uint)mode : 0x124, // 0444
                },
            });
        }

        return [.. result.OrderBy(c => c.ConfigName, StringComparer.Ordinal)];
    }

    /// <summary>Secrets or configs: stack-owned ones get <c>&lt;name&gt;_&lt;hash of content&gt;</c>; external ones keep their name.</summary>
    private static Dictionary<string, ResourceDraft> ConvertSecretsOrConfigs(Context context, string section, MappingNode declared)
    {
        var result = new Dictionary<string, ResourceDraft>(StringComparer.Ordinal);
        foreach (var entry in declared.Entries)
        {
            var node = entry.Value as MappingNode ?? MappingNode.Empty(entry.Value.Location);
            var path = $"{section}.{entry.Name}";
            if (node.Bool("external") == true)
            {
                result[entry.Name] = new ResourceDraft(entry.Name, node.Str("name") ?? entry.Name, External: true, [], []);
                continue;
            }

            foreach (var key in new[] { "driver", "driver_opts", "template_driver" })
            {
                if (node[key] is { } unsupportedKey)
                {
                    context.Diagnostics.Warning(SwarmDiagnosticCodes.Unsupported, $"'{key}' on {section} is not supported by Berth yet and is ignored", unsupportedKey.Location, $"{path}.{key}");
                }
            }

            // Content-addressed: Swarm refuses to change a secret's data in place, so new content is a new object.
            var data = Content(context, node, path);
            var baseName = context.ScopedName(entry.Name, node);
            var name = $"{baseName}_{System.Convert.ToHexStringLower(SHA256.HashData(data))[..10]}";
            var labels = Labels(node.StringMap("labels"), context.Stack);
            labels[SwarmLabels.ResourceName] = baseName;
            result[entry.Name] = new ResourceDraft(entry.Name, name, External: false, Sorted(labels)!, data);
        }

        return result;
    }

    private static byte[] Content(Context context, MappingNode node, string path)
    {
        if (node.Str("file") is { } file)
        {
            if (context.Options.Contents.TryGetValue(file, out var bytes))
            {
                return [.. bytes];
            }

            context.Diagnostics.Error(SwarmDiagnosticCodes.MissingContent, $"cannot read {file}", node["file"]!.Location, path + ".file");
            return [];
        }

        if (node.Str("environment") is { } variable)
        {
            if (context.Options.Contents.TryGetValue(ResourceContentReader.EnvironmentKey(variable), out var bytes))
            {
                return [.. bytes];
            }

            context.Diagnostics.Error(SwarmDiagnosticCodes.MissingContent, $"environment variable {variable} is not set", node["environment"]!.Location, path + ".environment");
            return [];
        }

        if (node.Str("content") is { } inline)
        {
            return System.Text.Encoding.UTF8.GetBytes(inline);
        }

        context.Diagnostics.Error(SwarmDiagnosticCodes.MissingContent, "needs 'file', 'environment', 'content' or 'external'", node.Location, path);
        return [];
    }

    private sealed record ResourceDraft(string ComposeName, string Name, bool External, Dictionary<string, string> Labels, byte[] Data);

    private sealed class Context(ComposeProject project, SwarmConvertOptions options)
    {
        public ComposeProject Project { get; } = project;

        public SwarmConvertOptions Options { get; } = options;

        public string Stack { get; } = options.Stack;

        public DiagnosticBag Diagnostics { get; } = new();

        public bool IsExternal(string networkKey) => Project.Networks.Map(networkKey)?.Bool("external") == true;

        public string NetworkName(string key)
        {
            var node = Project.Networks.Map(key) ?? MappingNode.Empty(Project.Root.Location);
            return IsExternal(key) ? node.Str("name") ?? key : ScopedName(key, node);
        }

        /// <summary>
        /// <c>&lt;stack&gt;_&lt;key&gt;</c> unless the file gives its own <c>name</c>. The loader writes
        /// <c>&lt;project&gt;_&lt;key&gt;</c> as the default name, which is re-scoped to the stack.
        /// </summary>
        public string ScopedName(string key, MappingNode node)
        {
            var name = node.Str("name");
            return name is null || name == Scope(Project.Name, key) ? Scope(Stack, key) : name;
        }
    }
}
