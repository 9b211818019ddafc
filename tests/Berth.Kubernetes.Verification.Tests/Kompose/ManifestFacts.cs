using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Verification.Tests.Kompose;

/// <summary>
/// Reduces a set of Kubernetes objects (Berth's or kompose's) to comparable facts per Compose service and aspect,
/// resolving indirections so that equal MEANING compares equal: env from ConfigMaps is inlined, PVC mounts carry the
/// claim's size and access modes, ConfigMap/Secret mounts become "file at path has content", defaults the API server
/// would fill in (probe timings, pull policy, protocol, targetPort, grace period) are filled in, quantities normalised.
/// </summary>
internal static class ManifestFacts
{
    /// <summary>The label keys that name the Compose service an object belongs to: kompose's, then Berth's (compose-on-kubernetes and recommended labels).</summary>
    private static readonly string[] _serviceLabelKeys = ["io.kompose.service", "com.docker.service.name", "app.kubernetes.io/name"];

    private static readonly HashSet<string> _workloadKinds = new(StringComparer.Ordinal) { "Deployment", "StatefulSet", "DaemonSet", "Pod", "Job", "CronJob" };

    public static SortedDictionary<string, SortedDictionary<string, SortedSet<string>>> Extract(IReadOnlyList<JsonObject> objects)
    {
        var facts = new SortedDictionary<string, SortedDictionary<string, SortedSet<string>>>(StringComparer.Ordinal);
        var configMaps = ByName(objects, "ConfigMap");
        var secrets = ByName(objects, "Secret");
        var claims = ByName(objects, "PersistentVolumeClaim");
        var services = objects.Where(o => Kind(o) == "Service").ToList();

        void Add(string service, string aspect, string fact)
        {
            if (!facts.TryGetValue(service, out var aspects))
            {
                facts[service] = aspects = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            }

            if (!aspects.TryGetValue(aspect, out var set))
            {
                aspects[aspect] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(fact);
        }

        foreach (var workload in objects.Where(o => _workloadKinds.Contains(Kind(o))))
        {
            var template = PodTemplate(workload);
            if (template is null)
            {
                continue;
            }

            var podLabels = template["metadata"]?["labels"] as JsonObject;
            var service = ServiceName(podLabels) ?? ServiceName(workload["metadata"]?["labels"] as JsonObject) ?? Name(workload);
            var spec = template["spec"] as JsonObject ?? [];
            Add(service, "workload", Kind(workload) == "Pod" || Kind(workload) == "CronJob" || Kind(workload) == "Job" ? Kind(workload) : "controller");
            var replicas = workload["spec"]?["replicas"];
            if (Kind(workload) is "Deployment" or "StatefulSet")
            {
                Add(service, "replicas", replicas is null ? "1" : replicas.ToJsonString());
            }

            // Every Service whose selector matches these pods serves this Compose service.
            foreach (var svc in services.Where(s => Selects(s["spec"]?["selector"] as JsonObject, podLabels)))
            {
                var svcSpec = svc["spec"] as JsonObject ?? [];
                var type = Str(svcSpec["type"]) ?? "ClusterIP";
                if (Str(svcSpec["clusterIP"]) == "None")
                {
                    type = "Headless";
                }

                Add(service, "service.type", type);
                foreach (var port in (svcSpec["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var target = port["targetPort"] ?? port["port"];
                    var protocol = Str(port["protocol"]) ?? "TCP";
                    Add(service, "service.ports", $"{port["port"]!.ToJsonString()}->{Unquote(target!.ToJsonString())}/{protocol}");
                    if (port["nodePort"] is { } nodePort)
                    {
                        Add(service, "service.nodePort", nodePort.ToJsonString());
                    }
                }
            }

            var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            foreach (var container in containers)
            {
                var prefix = containers.Count > 1 ? Str(container["name"]) + ":" : string.Empty;
                ContainerFacts(container, spec, configMaps, secrets, claims, workload, (aspect, fact) => Add(service, aspect, prefix + fact));
            }

            PodFacts(spec, (aspect, fact) => Add(service, aspect, fact));
        }

        foreach (var ingress in objects.Where(o => Kind(o) == "Ingress"))
        {
            var service = ServiceName(ingress["metadata"]?["labels"] as JsonObject) ?? Name(ingress);
            var spec = ingress["spec"] as JsonObject ?? [];
            if (Str(spec["ingressClassName"]) is { } cls)
            {
                Add(service, "ingress", "class=" + cls);
            }

            foreach (var rule in (spec["rules"] as JsonArray ?? []).OfType<JsonObject>())
            {
                foreach (var path in (rule["http"]?["paths"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    var backend = path["backend"]?["service"];
                    var svcName = Str(backend?["name"]) ?? "?";
                    var port = backend?["port"]?["number"]?.ToJsonString() ?? ResolvePortName(services, svcName, Str(backend?["port"]?["name"]));
                    Add(service, "ingress", $"{Str(rule["host"]) ?? "*"}{Str(path["path"]) ?? "/"} ({Str(path["pathType"])}) -> port {port}");
                }
            }

            foreach (var tls in (spec["tls"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var hosts = (tls["hosts"] as JsonArray ?? []).Select(h => Str(h)).Order(StringComparer.Ordinal);
                Add(service, "ingress", $"tls {string.Join(',', hosts)} secret={Str(tls["secretName"])}");
            }
        }

        foreach (var hpa in objects.Where(o => Kind(o) == "HorizontalPodAutoscaler"))
        {
            var spec = hpa["spec"] as JsonObject ?? [];
            var service = ServiceName(hpa["metadata"]?["labels"] as JsonObject) ?? Str(spec["scaleTargetRef"]?["name"]) ?? Name(hpa);
            Add(service, "hpa", $"target={Str(spec["scaleTargetRef"]?["kind"])}/{Str(spec["scaleTargetRef"]?["name"])} min={spec["minReplicas"]?.ToJsonString() ?? "1"} max={spec["maxReplicas"]?.ToJsonString()}");
            foreach (var metric in (spec["metrics"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var resource = metric["resource"];
                Add(service, "hpa", $"{Str(resource?["name"])} {Str(resource?["target"]?["type"])}={resource?["target"]?["averageUtilization"]?.ToJsonString()}");
            }
        }

        return facts;
    }

    private static void ContainerFacts(JsonObject container, JsonObject pod, Dictionary<string, JsonObject> configMaps, Dictionary<string, JsonObject> secrets, Dictionary<string, JsonObject> claims, JsonObject workload, Action<string, string> add)
    {
        var image = Str(container["image"]) ?? string.Empty;
        add("image", image);
        add("imagePullPolicy", Str(container["imagePullPolicy"]) ?? DefaultPullPolicy(image));
        if (container["command"] is JsonArray command)
        {
            add("command", Expanded(command));
        }

        if (container["args"] is JsonArray args)
        {
            add("args", Expanded(args));
        }

        if (Str(container["workingDir"]) is { } workingDir)
        {
            add("pod", "workingDir=" + workingDir);
        }

        foreach (var flag in new[] { "stdin", "tty" })
        {
            if (container[flag] is JsonValue v && v.GetValue<bool>())
            {
                add("pod", flag + "=true");
            }
        }

        // Environment as the container sees it: envFrom first, then env overriding.
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var from in (container["envFrom"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var prefix = Str(from["prefix"]) ?? string.Empty;
            if (Str(from["configMapRef"]?["name"]) is { } cm && configMaps.TryGetValue(cm, out var map))
            {
                foreach (var (k, v) in Data(map))
                {
                    env[prefix + k] = v;
                }
            }
            else if (Str(from["secretRef"]?["name"]) is { } sec && secrets.TryGetValue(sec, out var secret))
            {
                foreach (var (k, v) in Data(secret))
                {
                    env[prefix + k] = v;
                }
            }
        }

        foreach (var variable in (container["env"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = Str(variable["name"])!;
            var valueFrom = variable["valueFrom"];
            if (valueFrom is null)
            {
                env[name] = Expand(Str(variable["value"]) ?? string.Empty);
            }
            else if (valueFrom["configMapKeyRef"] is { } cmRef && configMaps.TryGetValue(Str(cmRef["name"]) ?? string.Empty, out var cm) && Data(cm).TryGetValue(Str(cmRef["key"])!, out var cmValue))
            {
                env[name] = cmValue;
            }
            else if (valueFrom["secretKeyRef"] is { } secRef && secrets.TryGetValue(Str(secRef["name"]) ?? string.Empty, out var sec) && Data(sec).TryGetValue(Str(secRef["key"])!, out var secValue))
            {
                env[name] = secValue;
            }
            else
            {
                env[name] = "<from " + valueFrom.ToJsonString() + ">";
            }
        }

        foreach (var (k, v) in env)
        {
            add("env", $"{k}={v}");
        }

        foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (port["hostPort"] is { } hostPort)
            {
                add("hostPort", $"{hostPort.ToJsonString()}->{port["containerPort"]!.ToJsonString()}/{Str(port["protocol"]) ?? "TCP"}");
            }
        }

        foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
        {
            if (container[probe] is JsonObject p)
            {
                add("probe." + probe.Replace("Probe", string.Empty, StringComparison.Ordinal), Probe(p));
            }
        }

        foreach (var section in new[] { "limits", "requests" })
        {
            foreach (var (resource, quantity) in container["resources"]?[section] as JsonObject ?? [])
            {
                add("resources", $"{section}.{resource}={Quantity(resource, quantity!)}");
            }
        }

        var security = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(pod["securityContext"], string.Empty, security);
        Flatten(container["securityContext"], string.Empty, security);
        foreach (var (k, v) in security)
        {
            add("securityContext", $"{k}={v}");
        }

        var volumes = (pod["volumes"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(v => Str(v["name"])!, StringComparer.Ordinal);
        var templates = (workload["spec"]?["volumeClaimTemplates"] as JsonArray ?? []).OfType<JsonObject>().ToDictionary(Name, StringComparer.Ordinal);
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var path = Str(mount["mountPath"])!;
            var name = Str(mount["name"])!;
            var subPath = Str(mount["subPath"]);
            var ro = mount["readOnly"] is JsonValue r && r.GetValue<bool>() ? " ro" : string.Empty;
            if (templates.TryGetValue(name, out var claimTemplate))
            {
                add("volumes", $"{path}: claim {Claim(claimTemplate)}{ro}{(subPath is null ? string.Empty : " subPath=" + subPath)}");
                continue;
            }

            if (!volumes.TryGetValue(name, out var volume))
            {
                add("volumes", $"{path}: <no volume {name}>");
                continue;
            }

            if (volume["persistentVolumeClaim"] is { } pvc)
            {
                var claim = claims.TryGetValue(Str(pvc["claimName"]) ?? string.Empty, out var c) ? Claim(c) : "<missing claim>";
                add("volumes", $"{path}: claim {claim}{ro}{(subPath is null ? string.Empty : " subPath=" + subPath)}");
            }
            else if (volume["emptyDir"] is { } emptyDir)
            {
                add("volumes", $"{path}: emptyDir{(Str(emptyDir["medium"]) is { } medium ? " medium=" + medium : string.Empty)}");
            }
            else if (volume["hostPath"] is { } hostPath)
            {
                add("volumes", $"{path}: hostPath {Str(hostPath["path"])}{ro}");
            }
            else if (volume["configMap"] is { } cmSource)
            {
                Files(path, subPath, cmSource, configMaps.GetValueOrDefault(Str(cmSource["name"]) ?? string.Empty), "configMap", add);
            }
            else if (volume["secret"] is { } secretSource)
            {
                Files(path, subPath, secretSource, secrets.GetValueOrDefault(Str(secretSource["secretName"]) ?? string.Empty), "secret", add);
            }
            else if (volume["projected"]?["sources"] is JsonArray sources)
            {
                // A projected volume is the union of its sources' files.
                foreach (var projection in sources.OfType<JsonObject>())
                {
                    if (projection["secret"] is { } projectedSecret)
                    {
                        Files(path, subPath, projectedSecret, secrets.GetValueOrDefault(Str(projectedSecret["name"]) ?? string.Empty), "secret", add);
                    }
                    else if (projection["configMap"] is { } projectedMap)
                    {
                        Files(path, subPath, projectedMap, configMaps.GetValueOrDefault(Str(projectedMap["name"]) ?? string.Empty), "configMap", add);
                    }
                    else
                    {
                        add("volumes", $"{path}: projected {string.Join(',', projection.Select(p => p.Key))}");
                    }
                }
            }
            else
            {
                add("volumes", $"{path}: {string.Join(',', volume.Select(p => p.Key).Where(k => k != "name"))}");
            }
        }
    }

    /// <summary>Which files with which content appear under a ConfigMap/Secret mount (the meaning, whatever subPath/items trick is used).</summary>
    private static void Files(string mountPath, string? subPath, JsonNode source, JsonObject? data, string kind, Action<string, string> add)
    {
        if (data is null)
        {
            // An object not in the output (external): name which of its keys appear where.
            var name = Str(source["name"]) ?? Str(source["secretName"]);
            if (source["items"] is JsonArray wanted)
            {
                foreach (var item in wanted.OfType<JsonObject>().Where(i => subPath is null || Str(i["path"]) == subPath))
                {
                    add("volumes", $"{(subPath is null ? mountPath.TrimEnd('/') + "/" + Str(item["path"]) : mountPath)}: {kind} {name} key {Str(item["key"])} (not in output)");
                }
            }
            else
            {
                add("volumes", $"{mountPath}: {kind} {name} all keys (not in output)");
            }

            return;
        }

        var content = Data(data);
        var keyToPath = (source["items"] as JsonArray)?.OfType<JsonObject>().ToDictionary(i => Str(i["key"])!, i => Str(i["path"])!, StringComparer.Ordinal)
                        ?? content.Keys.ToDictionary(k => k, k => k, StringComparer.Ordinal);
        foreach (var (key, relative) in keyToPath)
        {
            var text = content.GetValueOrDefault(key, "<missing key>");
            if (subPath is null)
            {
                add("volumes", $"{mountPath.TrimEnd('/')}/{relative}: {kind} file {Digest(text)}");
            }
            else if (subPath == relative)
            {
                add("volumes", $"{mountPath}: {kind} file {Digest(text)}");
            }
        }
    }

    private static void PodFacts(JsonObject spec, Action<string, string> add)
    {
        add("pod", "restartPolicy=" + (Str(spec["restartPolicy"]) ?? "Always"));
        add("pod", "terminationGracePeriodSeconds=" + (spec["terminationGracePeriodSeconds"]?.ToJsonString() ?? "30"));
        foreach (var key in new[] { "hostname", "subdomain", "serviceAccountName" })
        {
            if (Str(spec[key]) is { } value)
            {
                add("pod", $"{key}={value}");
            }
        }

        foreach (var secret in (spec["imagePullSecrets"] as JsonArray ?? []).OfType<JsonObject>())
        {
            add("imagePullSecrets", Str(secret["name"])!);
        }

        foreach (var init in (spec["initContainers"] as JsonArray ?? []).OfType<JsonObject>())
        {
            add("initContainers", $"{Str(init["image"])} {(init["command"] is JsonArray initCommand ? Expanded(initCommand) : null)}");
        }

        var required = spec["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"] as JsonArray ?? [];
        foreach (var term in required.OfType<JsonObject>())
        {
            var expressions = (term["matchExpressions"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(e => $"{Str(e["key"])} {Str(e["operator"])} {e["values"]?.ToJsonString()}").Order(StringComparer.Ordinal);
            add("placement", string.Join(" && ", expressions));
        }

        foreach (var (key, value) in spec["nodeSelector"] as JsonObject ?? [])
        {
            add("placement", $"{key} In [\"{Str(value)}\"]");
        }
    }

    private static string Probe(JsonObject probe)
    {
        string handler;
        if (probe["exec"]?["command"] is JsonArray command)
        {
            handler = "exec " + command.ToJsonString();
        }
        else if (probe["httpGet"] is { } http)
        {
            handler = $"http {Str(http["path"]) ?? "/"}:{Unquote(http["port"]?.ToJsonString() ?? "?")}";
        }
        else if (probe["tcpSocket"] is { } tcp)
        {
            handler = $"tcp {Unquote(tcp["port"]?.ToJsonString() ?? "?")}";
        }
        else
        {
            handler = "?";
        }

        // API-server defaults, so an omitted field equals its explicit default.
        return $"{handler} period={Int(probe["periodSeconds"], 10)} timeout={Int(probe["timeoutSeconds"], 1)} failure={Int(probe["failureThreshold"], 3)} success={Int(probe["successThreshold"], 1)} delay={Int(probe["initialDelaySeconds"], 0)}";
    }

    private static string Claim(JsonObject claim)
    {
        var spec = claim["spec"] as JsonObject ?? [];
        var size = spec["resources"]?["requests"]?["storage"] is { } storage ? Quantity("memory", storage) : "?";
        var modes = (spec["accessModes"] as JsonArray ?? []).Select(m => Str(m)).Order(StringComparer.Ordinal);
        var storageClass = Str(spec["storageClassName"]) is { } sc ? " class=" + sc : string.Empty;
        return $"size={size} modes={string.Join(',', modes)}{storageClass}";
    }

    /// <summary>Normalises a quantity: CPU to millicores, everything else to bytes (so 128Mi == 134217728 == "134217728").</summary>
    public static string Quantity(string resource, JsonNode node)
    {
        var text = Unquote(node.ToJsonString());
        var value = ParseQuantity(text);
        if (value is null)
        {
            return text;
        }

        return resource == "cpu"
            ? ((long)Math.Round(value.Value * 1000m)).ToString(CultureInfo.InvariantCulture) + "m"
            : ((long)Math.Round(value.Value)).ToString(CultureInfo.InvariantCulture);
    }

    private static decimal? ParseQuantity(string text)
    {
        (string Suffix, decimal Factor)[] suffixes =
        [
            ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
            ("m", 0.001m), ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m),
        ];
        foreach (var (suffix, factor) in suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && decimal.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var scaled))
            {
                return scaled * factor;
            }
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) ? plain : null;
    }

    private static void Flatten(JsonNode? node, string prefix, SortedDictionary<string, string> into)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (k, v) in obj)
                {
                    Flatten(v, prefix.Length == 0 ? k : prefix + "." + k, into);
                }

                break;
            case JsonArray array:
                into[prefix] = "[" + string.Join(',', array.Select(a => Unquote(a?.ToJsonString() ?? "null")).Order(StringComparer.Ordinal)) + "]";
                break;
            case null:
                break;
            default:
                into[prefix] = Unquote(node.ToJsonString());
                break;
        }
    }

    private static Dictionary<string, string> Data(JsonObject configMapOrSecret)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in configMapOrSecret["data"] as JsonObject ?? [])
        {
            var text = Str(v) ?? string.Empty;
            result[k] = Kind(configMapOrSecret) == "Secret" ? Encoding.UTF8.GetString(System.Convert.FromBase64String(text)) : text;
        }

        foreach (var (k, v) in configMapOrSecret["binaryData"] as JsonObject ?? [])
        {
            result[k] = Encoding.UTF8.GetString(System.Convert.FromBase64String(Str(v) ?? string.Empty));
        }

        foreach (var (k, v) in configMapOrSecret["stringData"] as JsonObject ?? [])
        {
            result[k] = Str(v) ?? string.Empty;
        }

        return result;
    }

    private static string Digest(string text)
        => text.Length <= 40 && !text.Contains('\n', StringComparison.Ordinal)
            ? "\"" + text + "\""
            : $"{text.Length} bytes sha256:{System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12]}";

    /// <summary>
    /// The text the container sees after the kubelet's $(VAR) expansion, as far as it is literal: "$$" is an
    /// escaped "$" (Berth writes every Compose "$" so), "$(NAME)" references are left as written.
    /// </summary>
    public static string Expand(string value)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            result.Append(value[i]);
            if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '$')
            {
                i++;
            }
        }

        return result.ToString();
    }

    private static string Expanded(JsonArray values)
        => new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(Expand(Str(v) ?? string.Empty)))]).ToJsonString();

    private static string DefaultPullPolicy(string image)
    {
        // Kubernetes: Always for :latest or no tag (and no digest), IfNotPresent otherwise.
        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        return image.Contains('@', StringComparison.Ordinal) ? "IfNotPresent"
            : !lastSegment.Contains(':', StringComparison.Ordinal) || lastSegment.EndsWith(":latest", StringComparison.Ordinal) ? "Always" : "IfNotPresent";
    }

    private static string ResolvePortName(List<JsonObject> services, string service, string? portName)
    {
        var port = services.Where(s => Name(s) == service).SelectMany(s => (s["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>())
            .FirstOrDefault(p => Str(p["name"]) == portName);
        return port?["port"]?.ToJsonString() ?? $"<name {portName}>";
    }

    private static bool Selects(JsonObject? selector, JsonObject? labels)
        => selector is { Count: > 0 } && labels is not null && selector.All(s => Str(labels[s.Key]) == Str(s.Value));

    private static JsonObject? PodTemplate(JsonObject workload) => Kind(workload) switch
    {
        "Pod" => workload,
        "CronJob" => workload["spec"]?["jobTemplate"]?["spec"]?["template"] as JsonObject,
        _ => workload["spec"]?["template"] as JsonObject,
    };

    private static Dictionary<string, JsonObject> ByName(IReadOnlyList<JsonObject> objects, string kind)
        => objects.Where(o => Kind(o) == kind).GroupBy(Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    /// <summary>
    /// The Compose service an object belongs to, normalised as both tools name objects (lower case, '_' and '.' → '-'):
    /// kompose's label carries the normalised name, Berth's com.docker.service.name the Compose key itself.
    /// </summary>
    private static string? ServiceName(JsonObject? labels)
        => labels is null ? null : _serviceLabelKeys.Select(k => Str(labels[k])).FirstOrDefault(v => v is not null)?.ToLowerInvariant().Replace('_', '-').Replace('.', '-');

    private static string Kind(JsonObject o) => Str(o["kind"]) ?? string.Empty;

    private static string Name(JsonObject o) => Str(o["metadata"]?["name"]) ?? string.Empty;

    private static string Int(JsonNode? node, int fallback) => node?.ToJsonString() ?? fallback.ToString(CultureInfo.InvariantCulture);

    /// <summary>A scalar as text; an empty string counts as absent (kompose prints Go zero values such as serviceAccountName: "").</summary>
    private static string? Str(JsonNode? node) => node is JsonValue v ? (v.TryGetValue<string>(out var s) ? (s.Length == 0 ? null : s) : v.ToJsonString()) : null;

    private static string Unquote(string json) => json.Length >= 2 && json[0] == '"' && json[^1] == '"' ? json[1..^1] : json;
}
