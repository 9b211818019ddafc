using Berth.Compose.Yaml;
using Docker.DotNet.Models;

namespace Berth.Swarm.Convert;

/// <summary>The container part of a task: image, environment, healthcheck, hosts, DNS, capabilities, ulimits, logging.</summary>
internal static class ContainerSpecs
{
    /// <summary>docker's client adds <c>:latest</c> to an image reference without tag or digest.</summary>
    public static string WithDefaultTag(string image)
    {
        if (image.Length == 0 || image.Contains('@', StringComparison.Ordinal))
        {
            return image;
        }

        var lastSlash = image.LastIndexOf('/');
        return image.IndexOf(':', lastSlash + 1) >= 0 ? image : image + ":latest";
    }

    public static List<string>? Environment(MappingNode service)
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

    public static HealthcheckConfig? Healthcheck(ConversionContext context, MappingNode service, string path)
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

    public static List<string>? ExtraHosts(MappingNode service)
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

    public static DNSConfig? Dns(MappingNode service)
    {
        var servers = service.Strings("dns");
        var search = service.Strings("dns_search");
        var options = service.Strings("dns_opt");
        return servers is { Count: > 0 } || search is { Count: > 0 } || options is { Count: > 0 }
            ? new DNSConfig { Nameservers = servers, Search = search, Options = options }
            : null;
    }

    /// <summary>Like docker's capability normalisation: upper case, <c>CAP_</c> prefix, <c>ALL</c> kept.</summary>
    public static List<string>? Capabilities(List<string>? caps)
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

    public static List<Ulimit>? Ulimits(MappingNode service)
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

    public static SwarmDriver? Logging(MappingNode service)
    {
        if (service.Map("logging") is not { } logging)
        {
            return null;
        }

        return new SwarmDriver { Name = logging.Str("driver"), Options = LabelMaps.Sorted(logging.StringMap("options")) };
    }
}
