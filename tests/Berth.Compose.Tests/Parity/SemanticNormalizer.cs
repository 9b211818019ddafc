using System.Globalization;
using System.Text.Json.Nodes;

namespace Berth.Compose.Tests.Parity;

/// <summary>
/// Brings `docker stack config` output and Berth's canonical output to one comparable shape. Each rule here
/// is either a formatting difference (numbers vs strings, list vs map spellings) or an intended difference,
/// listed in <see cref="IntendedDifferences"/> with its reason.
/// </summary>
internal static class SemanticNormalizer
{
    public static readonly (string What, string Why)[] IntendedDifferences =
    [
        ("top-level `version`", "docker prints the v3 schema version it converted to; Berth drops the obsolete key (with a warning) like docker compose"),
        ("top-level `name` and resource `name: <project>_<key>`", "Berth makes the project name and the real resource names explicit; docker stack applies the namespace only at deploy time"),
        ("`networks: {default: null}` on services and the implied `default` network", "Berth makes the implied default network explicit, as docker compose config does; Swarm adds it at deploy time"),
        ("relative paths (build.context, bind sources, env_file, secret/config files)", "Berth resolves them against the project folder as docker compose does; docker stack config leaves them relative"),
        ("`env_file`", "Berth loads env files into `environment` and removes the key (each value keeps the env file's file:line); docker stack config does the same merge but also keeps the list"),
        ("port `host_ip`", "docker stack drops the host IP with a warning because Swarm's ingress cannot bind one; Berth keeps what the file says and leaves the decision to the orchestrator converter"),
        ("`bind.create_host_path: true` on short-syntax binds", "compose-go semantics: short-syntax binds create the host path; docker/cli's loader does not record it"),
        ("depends_on conditions", "Berth keeps the Compose Specification's long form {condition, required}; docker/cli's v3 types keep only the names"),
        ("depends_on implied by links, volumes_from and service: namespaces", "compose-go semantics: such references are dependencies, so Berth records them; docker stack config does not"),
        ("`build.dockerfile: Dockerfile`", "the default made explicit, as docker compose config does"),
        ("port `mode: ingress` / `protocol: tcp` on long-syntax ports", "the defaults made explicit; docker sets them only for short-syntax ports, Swarm applies the same defaults"),
        ("consistency errors (undefined services, networks, volumes; container_name with replicas; network_mode with networks)", "Berth rejects such files by default, like docker compose; docker stack config accepts them and the engine fails at deploy time. They are compared with --no-consistency"),
        (".env", "docker stack never reads .env; the parity test passes its variables to docker explicitly"),
    ];

    public static JsonNode? FromDocker(JsonNode? root, string projectDirectory)
    {
        if (root is not JsonObject obj)
        {
            return root;
        }

        obj.Remove("version");
        foreach (var (_, service) in Services(obj))
        {
            service.Remove("env_file");
            Absolutize(service["build"] as JsonObject, "context", projectDirectory);
            foreach (var volume in (service["volumes"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if ((string?)volume["type"] == "bind")
                {
                    Absolutize(volume, "source", projectDirectory);
                }
            }
        }

        foreach (var section in new[] { "secrets", "configs" })
        {
            foreach (var (_, resource) in Section(obj, section))
            {
                Absolutize(resource, "file", projectDirectory);
            }
        }

        return Common(obj);
    }

    public static JsonNode? FromBerth(JsonNode? root, string projectName)
    {
        if (root is not JsonObject obj)
        {
            return root;
        }

        obj.Remove("name");
        var usesDefault = false;
        foreach (var (_, service) in Services(obj))
        {
            if (service["networks"] is JsonObject networks && networks.Count == 1 && networks.ContainsKey("default") && networks["default"] is null)
            {
                service.Remove("networks");
                usesDefault = true;
            }

            foreach (var port in (service["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                port.Remove("host_ip");
            }

            RemoveImpliedDependencies(service);

            foreach (var volume in (service["volumes"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (volume["bind"] is JsonObject bind)
                {
                    bind.Remove("create_host_path");
                }
            }
        }

        foreach (var section in new[] { "networks", "volumes", "secrets", "configs" })
        {
            foreach (var (key, resource) in Section(obj, section))
            {
                if ((string?)resource["name"] == $"{projectName}_{key}")
                {
                    resource.Remove("name");
                }
            }
        }

        if (usesDefault && obj["networks"] is JsonObject topNetworks && topNetworks["default"] is JsonObject def && def.Count == 0)
        {
            topNetworks.Remove("default");
        }

        return Common(obj);
    }

    private static void RemoveImpliedDependencies(JsonObject service)
    {
        if (service["depends_on"] is not JsonObject dependsOn)
        {
            return;
        }

        var implied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var link in (service["links"] as JsonArray)?.Select(l => l?.ToString() ?? string.Empty) ?? [])
        {
            implied.Add(link.Split(':')[0]);
        }

        foreach (var from in (service["volumes_from"] as JsonArray)?.Select(l => l?.ToString() ?? string.Empty) ?? [])
        {
            implied.Add(from.Split(':')[0]);
        }

        foreach (var key in new[] { "network_mode", "ipc", "pid" })
        {
            if ((service[key] as JsonValue)?.ToString() is { } mode && mode.StartsWith("service:", StringComparison.Ordinal))
            {
                implied.Add(mode["service:".Length..]);
            }
        }

        foreach (var name in dependsOn.Where(d => implied.Contains(d.Key) && d.Value is JsonObject o && (bool?)o["restart"] == true).Select(d => d.Key).ToList())
        {
            dependsOn.Remove(name);
        }
    }

    /// <summary>Rules for both sides: scalars compared as strings, list/map spellings unified, empty values dropped.</summary>
    private static JsonNode? Common(JsonObject root)
    {
        foreach (var section in new[] { "networks", "volumes", "secrets", "configs" })
        {
            foreach (var (key, resource) in Section(root, section))
            {
                if ((bool?)resource["external"] == true && (string?)resource["name"] == key)
                {
                    resource.Remove("name");
                }
            }
        }

        foreach (var (_, service) in Services(root))
        {
            foreach (var port in (service["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                port["mode"] ??= "ingress";
                port["protocol"] ??= "tcp";
            }

            if (service["build"] is JsonObject build)
            {
                if ((string?)build["dockerfile"] == "Dockerfile")
                {
                    build.Remove("dockerfile");
                }

                UnifyExtraHosts(build);
            }

            if (service["devices"] is JsonArray devices)
            {
                service["devices"] = new JsonArray([.. devices.Select(DeviceMapping)]);
            }

            if (service["ulimits"] is JsonObject ulimits)
            {
                foreach (var (name, value) in ulimits.ToList())
                {
                    if (value is JsonValue single)
                    {
                        ulimits[name] = new JsonObject { ["soft"] = single.DeepClone(), ["hard"] = single.DeepClone() };
                    }
                }
            }

            foreach (var volume in (service["volumes"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if ((string?)volume["target"] is { Length: > 1 } target && target.EndsWith('/'))
                {
                    volume["target"] = target.TrimEnd('/');
                }
            }

            if (service["depends_on"] is JsonObject dependsOn)
            {
                service["depends_on"] = new JsonArray([.. dependsOn.Select(d => (JsonNode?)JsonValue.Create(d.Key)).OrderBy(n => (string?)n, StringComparer.Ordinal)]);
            }
            else if (service["depends_on"] is JsonArray list)
            {
                service["depends_on"] = new JsonArray([.. list.Select(n => (JsonNode?)JsonValue.Create(n!.ToString())).OrderBy(n => (string?)n, StringComparer.Ordinal)]);
            }

            UnifyExtraHosts(service);
        }

        return Clean(root);
    }

    private static void UnifyExtraHosts(JsonObject owner)
    {
        if (owner["extra_hosts"] is JsonObject hosts)
        {
            owner["extra_hosts"] = new JsonArray([.. hosts.SelectMany(h => h.Value is JsonArray ips ? ips.Select(ip => $"{h.Key}:{ip}") : [$"{h.Key}:{h.Value}"]).Select(s => (JsonNode?)JsonValue.Create(s))]);
        }
    }

    // "src:dst[:perm]" → {source, target, permissions} with docker's default permissions rwm.
    private static JsonNode? DeviceMapping(JsonNode? device)
    {
        if (device is not JsonValue value)
        {
            return device?.DeepClone();
        }

        var parts = value.ToString().Split(':');
        return new JsonObject
        {
            ["source"] = parts[0],
            ["target"] = parts.Length > 1 ? parts[1] : parts[0],
            ["permissions"] = parts.Length > 2 ? parts[2] : "rwm",
        };
    }

    private static JsonNode? Clean(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
                {
                    var cleaned = Clean(value?.DeepClone());
                    if (cleaned is null || cleaned is JsonObject { Count: 0 } || cleaned is JsonArray { Count: 0 })
                    {
                        continue;
                    }

                    result[key] = cleaned;
                }

                return result;
            case JsonArray arr:
                return new JsonArray([.. arr.Select(i => Clean(i?.DeepClone()))]);
            case JsonValue value:
                return JsonValue.Create(ScalarText(value));
            default:
                return null;
        }
    }

    private static string ScalarText(JsonValue value)
    {
        if (value.TryGetValue<double>(out var d))
        {
            return d.ToString("R", CultureInfo.InvariantCulture);
        }

        if (value.TryGetValue<bool>(out var b))
        {
            return b ? "true" : "false";
        }

        var s = value.ToString();
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && s.Trim() == s && !s.StartsWith('0')
            ? parsed.ToString("R", CultureInfo.InvariantCulture)
            : s;
    }

    private static void Absolutize(JsonObject? obj, string key, string baseDirectory)
    {
        // A Windows drive path (C:\data) is absolute for docker too and stays as written.
        if (obj?[key] is JsonValue v && v.ToString() is { Length: > 0 } path && !Path.IsPathRooted(path) && !path.Contains("://", StringComparison.Ordinal)
            && !(path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/'))
        {
            obj[key] = Path.GetFullPath(path, baseDirectory);
        }
    }

    private static IEnumerable<(string Name, JsonObject Service)> Services(JsonObject root) => Section(root, "services");

    private static IEnumerable<(string Name, JsonObject Value)> Section(JsonObject root, string section)
        => (root[section] as JsonObject)?.Where(p => p.Value is JsonObject).Select(p => (p.Key, (JsonObject)p.Value!)).ToList() ?? [];
}
