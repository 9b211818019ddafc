using System.Collections.Immutable;
using System.Security.Cryptography;
using Berth.Compose.Model;
using Berth.Compose.Yaml;
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

    public static SwarmPlan Convert(ComposeProject project, SwarmConvertOptions options)
    {
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(options);
        var context = new ConversionContext(project, options);

        var secrets = SecretsAndConfigs.ConvertSecretsOrConfigs(context, "secrets", project.Secrets);
        var configs = SecretsAndConfigs.ConvertSecretsOrConfigs(context, "configs", project.Configs);
        var usedNetworks = new SortedSet<string>(StringComparer.Ordinal);
        var services = ImmutableArray.CreateBuilder<SwarmServicePlan>();
        foreach (var entry in project.Services.Entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.Value is MappingNode service)
            {
                services.Add(ConvertService(context, entry.Name, service, secrets, configs, usedNetworks));
            }
        }

        var networks = NetworkSpecs.ConvertNetworks(context, usedNetworks);
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
        ConversionContext context,
        string name,
        MappingNode service,
        IReadOnlyDictionary<string, ResourceDraft> secrets,
        IReadOnlyDictionary<string, ResourceDraft> configs,
        SortedSet<string> usedNetworks)
    {
        var path = "services." + name;
        ServiceKeys.ReportUnmappedKeys(context, service, path);
        var image = service.Str("image");
        if (string.IsNullOrEmpty(image))
        {
            context.Diagnostics.Error(SwarmDiagnosticCodes.NoImage, $"service '{name}' has no image; Swarm cannot build images", service.Location, path, "set 'image' to an image every node can pull");
            image = string.Empty;
        }

        var deploy = service.Map("deploy") ?? MappingNode.Empty(service.Location);
        var container = new ContainerSpec
        {
            Image = ContainerSpecs.WithDefaultTag(image),

            // docker sends an empty privileges block (credential_spec is its only use); the engine stores it as sent.
            Privileges = new Privileges(),
            Labels = LabelMaps.Labels(service.StringMap("labels"), context.Stack),
            Command = service.Strings("entrypoint"),
            Args = service.Strings("command"),
            Hostname = service.Str("hostname"),
            Env = ContainerSpecs.Environment(service),
            Dir = service.Str("working_dir"),
            User = service.Str("user"),
            Groups = service.Strings("group_add"),
            Init = service.Bool("init"),
            StopSignal = service.Str("stop_signal"),
            TTY = service.Bool("tty"),
            OpenStdin = service.Bool("stdin_open"),
            ReadOnly = service.Bool("read_only"),
            StopGracePeriod = service.Duration("stop_grace_period"),
            Healthcheck = ContainerSpecs.Healthcheck(context, service, path),
            Hosts = ContainerSpecs.ExtraHosts(service),
            DNSConfig = ContainerSpecs.Dns(service),
            Isolation = service.Str("isolation"),
            Sysctls = LabelMaps.Sorted(service.StringMap("sysctls")),
            CapabilityAdd = ContainerSpecs.Capabilities(service.Strings("cap_add")),
            CapabilityDrop = ContainerSpecs.Capabilities(service.Strings("cap_drop")),
            Ulimits = ContainerSpecs.Ulimits(service),
            OomScoreAdj = service.Int("oom_score_adj"),
            Mounts = MountSpecs.Mounts(context, service, path),
            Secrets = SecretsAndConfigs.SecretReferences(context, service, path, secrets),
            Configs = SecretsAndConfigs.ConfigReferences(context, service, path, configs),
        };

        var spec = new ServiceSpec
        {
            Name = Scope(context.Stack, name),
            Labels = LabelMaps.ServiceLabels(deploy.StringMap("labels"), context.Stack, image),
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = container,
                Resources = ResourcesAndPlacement.Resources(deploy),
                RestartPolicy = ServicePolicies.RestartPolicy(context, service, deploy, path),
                Placement = ResourcesAndPlacement.Placement(deploy),
                Networks = NetworkSpecs.NetworkAttachments(context, name, service, path, usedNetworks),
                LogDriver = ContainerSpecs.Logging(service),
            },
            Mode = ServicePolicies.Mode(context, service, deploy, path),
            UpdateConfig = ServicePolicies.UpdateConfig(deploy.Map("update_config")),
            RollbackConfig = ServicePolicies.UpdateConfig(deploy.Map("rollback_config")),
            EndpointSpec = EndpointSpecs.Endpoint(context, service, deploy, path),
        };

        var hash = HashSpec(spec);
        spec.Labels[SwarmLabels.SpecHash] = hash;
        return new SwarmServicePlan(name, spec, hash);
    }

    /// <summary>docker's client adds <c>:latest</c> to an image reference without tag or digest.</summary>
    internal static string WithDefaultTag(string image) => ContainerSpecs.WithDefaultTag(image);

    /// <summary>Like docker's capability normalisation: upper case, <c>CAP_</c> prefix, <c>ALL</c> kept.</summary>
    internal static List<string>? Capabilities(List<string>? caps) => ContainerSpecs.Capabilities(caps);
}
