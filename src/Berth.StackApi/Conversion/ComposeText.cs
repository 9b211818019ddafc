using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Compose.Model;
using Berth.Compose.Output;
using Berth.Compose.Yaml;
using Berth.StackApi.Types;

namespace Berth.StackApi;

/// <summary>The result of loading Compose text: the project, the v1alpha3 spec made from it, and the errors.</summary>
internal sealed record ComposeTextResult(ComposeProject? Project, JsonObject? Spec, ImmutableArray<FieldError> Errors);

/// <summary>
/// Compose text ↔ the v1alpha3 StackSpec. Text is loaded by Berth's own loader (the whole Compose Specification),
/// interpolated against an empty environment as compose-on-kubernetes did (internal/parsing/loader.go passes an
/// empty map): the client interpolated already, so <c>${X:-d}</c> takes its default and <c>$$</c> is a literal $.
/// The server reads no files: keys that would make the loader read one (include, env_file, label_file,
/// extends.file) are refused.
/// </summary>
internal static partial class ComposeText
{
    public const string Field = "spec.composeFile";

    // A folder that cannot exist (/dev/null is a file), so the loader finds no .env and resolves relative paths
    // under it; the prefix is turned back into "./" in the structure.
    private const string ProjectDirectory = "/dev/null/stack";

    private static readonly LoadLimits Limits = LoadLimits.Default;

    public static ComposeTextResult Load(string text, string? stackName)
    {
        var refused = RefuseFileReferences(text);
        if (!refused.IsEmpty)
        {
            return new ComposeTextResult(null, null, refused);
        }

        var (project, errors) = LoadProject(text, stackName);
        return project is null ? new ComposeTextResult(null, null, errors) : new ComposeTextResult(project, FromProject(project), []);
    }

    /// <summary>
    /// Loads text that <see cref="FromSpec"/> wrote: one parse, no spec made back from it. FromSpec writes only
    /// the keys it knows (never include, env_file, label_file or extends), so the refusal of file references, a
    /// second parse of the text, has nothing to find there.
    /// </summary>
    public static ComposeTextResult LoadFromSpec(JsonObject spec, string? stackName)
    {
        var (project, errors) = LoadProject(FromSpec(spec), stackName);
        return new ComposeTextResult(project, null, errors);
    }

    private static (ComposeProject? Project, ImmutableArray<FieldError> Errors) LoadProject(string text, string? stackName)
    {
        var options = new LoadOptions
        {
            Files = [ProjectLoader.StandardInputName],
            StandardInput = new StringReader(text),
            WorkingDirectory = ProjectDirectory,
            ProjectDirectory = ProjectDirectory,
            ProjectName = stackName is not null && ProjectNames.IsValid(stackName) ? stackName : "stack",
            Environment = ImmutableDictionary<string, string>.Empty,
        };
        var result = ProjectLoader.Load(options);
        var errors = result.Diagnostics.Where(d => d.Severity == Severity.Error).Select(ToFieldError).ToImmutableArray();
        if (result.Project is null || !errors.IsEmpty)
        {
            return (null, errors.IsEmpty ? [new FieldError(FieldErrorTypes.Invalid, Field, "Invalid value: the Compose file could not be loaded")] : errors);
        }

        return (result.Project, []);
    }

    public static FieldError ToFieldError(Diagnostic diagnostic)
    {
        var where = diagnostic.Location.Line > 0 ? $"line {diagnostic.Location.Line}, column {diagnostic.Location.Column}: " : string.Empty;
        var path = diagnostic.YamlPath is null ? string.Empty : $" ({diagnostic.YamlPath})";
        return new FieldError(FieldErrorTypes.Invalid, Field, $"Invalid value: {where}{diagnostic.Code}: {diagnostic.Message}{path}");
    }

    private static ImmutableArray<FieldError> RefuseFileReferences(string text)
    {
        var bag = new DiagnosticBag();
        var errors = ImmutableArray.CreateBuilder<FieldError>();
        foreach (var root in YamlTreeReader.Read(text, "<composeFile>", Limits, bag).OfType<MappingNode>())
        {
            if (root.TryGetEntry("include", out var include))
            {
                errors.Add(Forbidden(include.Key, "include"));
            }

            if (root["services"] is not MappingNode services)
            {
                continue;
            }

            foreach (var service in services.Entries)
            {
                if (service.Value is not MappingNode definition)
                {
                    continue;
                }

                foreach (var key in (string[])["env_file", "label_file"])
                {
                    if (definition.TryGetEntry(key, out var entry))
                    {
                        errors.Add(Forbidden(entry.Key, $"services.{service.Name}.{key}"));
                    }
                }

                if (definition["extends"] is MappingNode extends && extends.TryGetEntry("file", out var file))
                {
                    errors.Add(Forbidden(file.Key, $"services.{service.Name}.extends.file"));
                }
            }
        }

        // Syntax errors are left to the loader, which reports them with the same lines.
        return errors.ToImmutable();

        static FieldError Forbidden(ScalarNode key, string path)
            => new(FieldErrorTypes.Forbidden, Field, $"Forbidden: line {key.Location.Line}, column {key.Location.Column}: {path}: the API server reads no files; inline the values");
    }

    /// <summary>The v1alpha3 StackSpec of a loaded project (compose-on-kubernetes's FromComposeConfig, internal/conversions/v1alpha3.go).</summary>
    public static JsonObject FromProject(ComposeProject project)
    {
        var root = (JsonObject)ComposeNodeJson.ToJsonNode(project.Root)!;
        var spec = new JsonObject();
        var services = new JsonArray();
        foreach (var (name, node) in (root["services"] as JsonObject ?? []).OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            services.Add(FromService(name, node as JsonObject ?? []));
        }

        spec["services"] = services;
        spec["secrets"] = FromFileObjects(root["secrets"] as JsonObject, project.Name);
        spec["configs"] = FromFileObjects(root["configs"] as JsonObject, project.Name);

        // Through GoJson so the result is exactly what a v1alpha3 client would have sent.
        return new GoJson().Object(StackShapes.StackSpec, spec, "spec");
    }

    private static JsonObject FromService(string name, JsonObject s)
    {
        var service = new JsonObject
        {
            ["name"] = name,
            ["cap_add"] = Copy(s["cap_add"]),
            ["cap_drop"] = Copy(s["cap_drop"]),
            ["command"] = Copy(s["command"]),
            ["configs"] = FileReferences(s["configs"]),
            ["deploy"] = FromDeploy(s["deploy"] as JsonObject),
            ["entrypoint"] = Copy(s["entrypoint"]),
            ["environment"] = Copy(s["environment"]),
            ["extra_hosts"] = s["extra_hosts"] is JsonObject hosts
                ? new JsonArray([.. hosts.SelectMany(h => (h.Value as JsonArray ?? []).Select(ip => JsonValue.Create($"{h.Key}:{Text(ip)}")))])
                : null,
            ["hostname"] = Copy(s["hostname"]),
            ["health_check"] = FromHealthCheck(s["healthcheck"] as JsonObject),
            ["image"] = Copy(s["image"]),
            ["ipc"] = Copy(s["ipc"]),
            ["labels"] = Copy(s["labels"]),
            ["pid"] = Copy(s["pid"]),
            ["ports"] = s["ports"] is JsonArray ports
                ? new JsonArray([.. ports.OfType<JsonObject>().Select(p => (JsonNode)new JsonObject
                {
                    ["mode"] = Copy(p["mode"]),
                    ["target"] = Copy(p["target"]),
                    ["published"] = p["published"] is { } published && uint.TryParse(Text(published), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
                    ["protocol"] = Copy(p["protocol"]),
                })])
                : null,
            ["privileged"] = Copy(s["privileged"]),
            ["read_only"] = Copy(s["read_only"]),
            ["secrets"] = FileReferences(s["secrets"]),
            ["stdin_open"] = Copy(s["stdin_open"]),
            ["stop_grace_period"] = Duration(s["stop_grace_period"]),
            ["tmpfs"] = Copy(s["tmpfs"]),
            ["tty"] = Copy(s["tty"]),
            // compose-on-kubernetes keeps a numeric user only (strconv.Atoi); names and uid:gid are dropped.
            ["user"] = s["user"] is { } user && long.TryParse(Text(user), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var uid) ? uid : null,
            ["volumes"] = s["volumes"] is JsonArray volumes
                ? new JsonArray([.. volumes.OfType<JsonObject>().Select(v => (JsonNode)new JsonObject
                {
                    ["type"] = Copy(v["type"]),
                    ["source"] = v["source"] is { } source ? Relative(Text(source)) : null,
                    ["target"] = Copy(v["target"]),
                    ["read_only"] = Copy(v["read_only"]),
                })])
                : null,
            ["working_dir"] = Copy(s["working_dir"]),
        };

        // docker/cli's Kubernetes converter took these from the x-kubernetes extension and internal_ports from expose.
        var extension = s["x-kubernetes"] as JsonObject;
        service["pull_secret"] = Copy(extension?["pull_secret"]);
        service["pull_policy"] = Copy(extension?["pull_policy"]);
        service["internal_ports"] = s["expose"] is JsonArray expose ? InternalPorts(expose) : null;
        service["internal_service_type"] = Copy(extension?["internal_service_type"]);
        return service;
    }

    private static JsonArray InternalPorts(JsonArray expose)
    {
        var ports = new JsonArray();
        foreach (var item in expose)
        {
            var text = Text(item);
            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var protocol = slash < 0 ? "TCP" : text[(slash + 1)..].ToUpperInvariant();
            var range = (slash < 0 ? text : text[..slash]).Split('-');
            if (int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                var last = range.Length == 2 && int.TryParse(range[1], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : first;
                for (var port = first; port <= last && port - first < 65536; port++)
                {
                    ports.Add(new JsonObject { ["port"] = port, ["protocol"] = protocol });
                }
            }
        }

        return ports;
    }

    private static JsonObject FromDeploy(JsonObject? d)
    {
        var deploy = new JsonObject
        {
            ["mode"] = Copy(d?["mode"]),
            ["replicas"] = Copy(d?["replicas"]),
            ["labels"] = Copy(d?["labels"]),
        };
        if (d?["update_config"] is JsonObject update)
        {
            deploy["update_config"] = new JsonObject { ["paralellism"] = Copy(update["parallelism"]) };
        }

        if (d?["resources"] is JsonObject resources)
        {
            deploy["resources"] = new JsonObject
            {
                ["limits"] = FromResource(resources["limits"] as JsonObject),
                ["reservations"] = FromResource(resources["reservations"] as JsonObject),
            };
        }

        if (d?["restart_policy"] is JsonObject restart)
        {
            deploy["restart_policy"] = new JsonObject { ["condition"] = Copy(restart["condition"]) };
        }

        if (d?["placement"]?["constraints"] is JsonArray constraints && constraints.Count > 0)
        {
            deploy["placement"] = new JsonObject { ["constraints"] = FromConstraints(constraints) };
        }

        return deploy;
    }

    private static JsonObject? FromResource(JsonObject? r)
        => r is null ? null : new JsonObject
        {
            // NanoCPUs is the decimal text of cpus (docker/cli's Resource.NanoCPUs string).
            ["cpus"] = r["cpus"] is { } cpus ? Text(cpus) : null,
            ["memory"] = Copy(r["memory"]),
        };

    // internal/conversions/v1alpha3.go's constraintEquals, without its truncation of values at '-' (node-1 stayed
    // node): the key and value keep every character but blanks; > and < are accepted as the server maps them.
    [GeneratedRegex(@"^\s*([\w.\-]+)\s*(==|!=|>|<)\s*(\S*)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ConstraintPattern();

    private static JsonObject FromConstraints(JsonArray list)
    {
        var constraints = new JsonObject();
        var labels = new JsonObject();
        foreach (var item in list)
        {
            var match = ConstraintPattern().Match(Text(item));
            if (!match.Success)
            {
                continue;
            }

            var (key, op, value) = (match.Groups[1].Value, match.Groups[2].Value, match.Groups[3].Value);
            var constraint = new JsonObject { ["Value"] = value, ["Operator"] = op };
            switch (key)
            {
                case "node.platform.os":
                    constraints["OperatingSystem"] = constraint;
                    break;
                case "node.platform.arch":
                    constraints["Architecture"] = constraint;
                    break;
                case "node.hostname":
                    constraints["Hostname"] = constraint;
                    break;
                case var k when k.StartsWith("node.labels.", StringComparison.Ordinal):
                    labels[k["node.labels.".Length..]] = constraint;
                    break;
            }
        }

        if (labels.Count > 0)
        {
            constraints["MatchLabels"] = labels;
        }

        return constraints;
    }

    private static JsonObject? FromHealthCheck(JsonObject? h)
        => h is null ? null : new JsonObject
        {
            ["test"] = Copy(h["test"]),
            ["timeout"] = Duration(h["timeout"]),
            ["interval"] = Duration(h["interval"]),
            ["retries"] = Copy(h["retries"]),
        };

    private static JsonArray? FileReferences(JsonNode? list)
        => list is JsonArray items
            ? new JsonArray([.. items.OfType<JsonObject>().Select(r => (JsonNode)new JsonObject
            {
                ["source"] = Copy(r["source"]),
                ["target"] = Copy(r["target"]),
                ["uid"] = r["uid"] is { } uid ? Text(uid) : null,
                ["gid"] = r["gid"] is { } gid ? Text(gid) : null,
                ["mode"] = r["mode"] is { } mode && uint.TryParse(Text(mode), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : null,
            })])
            : null;

    private static JsonObject? FromFileObjects(JsonObject? objects, string projectName)
    {
        if (objects is null)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var (key, node) in objects)
        {
            var o = node as JsonObject ?? [];

            // The loader's default name (<project>_<key>) is not the user's: compose-on-kubernetes kept only a written one.
            var name = Text(o["name"]);
            result[key] = new JsonObject
            {
                ["name"] = name == $"{projectName}_{key}" ? null : name,
                ["file"] = o["file"] is { } file ? Relative(Text(file)) : null,
                ["external"] = new JsonObject { ["external"] = o["external"] is JsonValue e && e.GetValueKind() == JsonValueKind.True },
                ["labels"] = Copy(o["labels"]),
            };
        }

        return result;
    }

    private static JsonNode? Duration(JsonNode? node)
        => node is not null && GoDuration.TryParse(Text(node), out var ns) ? JsonValue.Create(ns) : null;

    private static string Relative(string path)
        => path == ProjectDirectory ? "." : path.StartsWith(ProjectDirectory + "/", StringComparison.Ordinal) ? "./" + path[(ProjectDirectory.Length + 1)..] : path;

    private static JsonNode? Copy(JsonNode? node) => node?.DeepClone();

    private static string Text(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    /// <summary>
    /// Compose text for a v1alpha3 spec (what v1beta1 and the composeFile subresource show for a stack written in
    /// structure): every value the structure holds, strings double-quoted with $ escaped, so loading it gives the
    /// same structure back (ports and volumes gain the loader's defaults).
    /// </summary>
    public static string FromSpec(JsonObject spec)
    {
        var document = new JsonObject();
        var services = new JsonObject();
        foreach (var service in StackConversions.Services(spec))
        {
            services[service["name"]?.GetValue<string>() ?? string.Empty] = ToComposeService(service);
        }

        document["services"] = services;

        // Compose needs every named volume a service mounts declared at the top level.
        var named = StackConversions.Services(spec)
            .SelectMany(s => s["volumes"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Select(v => (Type: Text(v["type"]), Source: Text(v["source"])))
            .Where(v => v.Source.Length > 0 && (v.Type == "volume" || (v.Type.Length == 0 && !v.Source.StartsWith('/') && !v.Source.StartsWith('.'))))
            .Select(v => v.Source)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (named.Count > 0)
        {
            document["volumes"] = new JsonObject(named.Select(n => KeyValuePair.Create(n, (JsonNode?)new JsonObject())));
        }

        foreach (var section in (string[])["secrets", "configs"])
        {
            if (spec[section] is JsonObject objects && objects.Count > 0)
            {
                document[section] = new JsonObject(objects.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)ToComposeFileObject(e.Value as JsonObject ?? []))));
            }
        }

        var text = new StringBuilder();
        YamlText.Write(text, document, 0);
        return text.ToString();
    }

    private static JsonObject ToComposeService(JsonObject s)
    {
        var c = new JsonObject();
        Put(c, "image", s["image"]);
        Put(c, "entrypoint", s["entrypoint"]);
        Put(c, "command", s["command"]);
        Put(c, "working_dir", s["working_dir"]);
        Put(c, "hostname", s["hostname"]);
        Put(c, "user", s["user"] is { } user ? JsonValue.Create(Text(user)) : null);
        Put(c, "environment", s["environment"]);
        Put(c, "labels", s["labels"]);
        Put(c, "cap_add", s["cap_add"]);
        Put(c, "cap_drop", s["cap_drop"]);
        Put(c, "extra_hosts", s["extra_hosts"]);
        Put(c, "ipc", s["ipc"]);
        Put(c, "pid", s["pid"]);
        Put(c, "privileged", s["privileged"]);
        Put(c, "read_only", s["read_only"]);
        Put(c, "stdin_open", s["stdin_open"]);
        Put(c, "tty", s["tty"]);
        Put(c, "tmpfs", s["tmpfs"]);
        Put(c, "stop_grace_period", ToDuration(s["stop_grace_period"]));
        if (s["health_check"] is JsonObject h)
        {
            var health = new JsonObject();
            Put(health, "test", h["test"]);
            Put(health, "timeout", ToDuration(h["timeout"]));
            Put(health, "interval", ToDuration(h["interval"]));
            Put(health, "retries", h["retries"]);
            c["healthcheck"] = health;
        }

        if (s["ports"] is JsonArray ports)
        {
            c["ports"] = new JsonArray([.. ports.OfType<JsonObject>().Select(p =>
            {
                var port = new JsonObject();
                Put(port, "target", p["target"]);
                Put(port, "published", p["published"] is { } published ? JsonValue.Create(Text(published)) : null);
                Put(port, "protocol", p["protocol"]);
                Put(port, "mode", p["mode"]);
                return (JsonNode)port;
            })]);
        }

        if (s["volumes"] is JsonArray volumes)
        {
            c["volumes"] = new JsonArray([.. volumes.OfType<JsonObject>().Select(v =>
            {
                var source = v["source"] is { } src ? Text(src) : string.Empty;
                var volume = new JsonObject { ["type"] = v["type"] is JsonValue t && Text(t).Length > 0 ? Text(t) : source.StartsWith('/') || source.StartsWith('.') ? "bind" : "volume" };
                Put(volume, "source", v["source"]);
                Put(volume, "target", v["target"]);
                Put(volume, "read_only", v["read_only"]);
                return (JsonNode)volume;
            })]);
        }

        Put(c, "secrets", s["secrets"]);
        Put(c, "configs", s["configs"]);
        if (s["deploy"] is JsonObject d)
        {
            var deploy = new JsonObject();
            Put(deploy, "mode", d["mode"]);
            Put(deploy, "replicas", d["replicas"]);
            Put(deploy, "labels", d["labels"]);
            if (d["update_config"] is JsonObject update)
            {
                var u = new JsonObject();
                Put(u, "parallelism", update["paralellism"]);
                deploy["update_config"] = u;
            }

            if (d["resources"] is JsonObject { Count: > 0 } resources)
            {
                var r = new JsonObject();
                foreach (var kind in (string[])["limits", "reservations"])
                {
                    if (resources[kind] is JsonObject resource)
                    {
                        var one = new JsonObject();
                        Put(one, "cpus", resource["cpus"]);
                        // The Compose schema wants a byte size as a string.
                        Put(one, "memory", resource["memory"] is { } memory ? JsonValue.Create(Text(memory)) : null);
                        r[kind] = one;
                    }
                }

                deploy["resources"] = r;
            }

            if (d["restart_policy"] is JsonObject restart)
            {
                var r = new JsonObject();
                Put(r, "condition", restart["condition"]);
                deploy["restart_policy"] = r;
            }

            if (d["placement"]?["constraints"] is JsonObject constraints)
            {
                deploy["placement"] = new JsonObject { ["constraints"] = ToConstraints(constraints) };
            }

            if (deploy.Count > 0)
            {
                c["deploy"] = deploy;
            }
        }

        var extension = new JsonObject();
        Put(extension, "pull_secret", s["pull_secret"]);
        Put(extension, "pull_policy", s["pull_policy"]);
        Put(extension, "internal_service_type", s["internal_service_type"]);
        if (extension.Count > 0)
        {
            c["x-kubernetes"] = extension;
        }

        if (s["internal_ports"] is JsonArray internalPorts)
        {
            c["expose"] = new JsonArray([.. internalPorts.OfType<JsonObject>().Select(p => JsonValue.Create($"{Text(p["port"])}/{Text(p["protocol"]).ToLowerInvariant() switch { "" => "tcp", var x => x }}"))]);
        }

        return c;
    }

    private static JsonArray ToConstraints(JsonObject constraints)
    {
        var list = new JsonArray();
        Add("node.platform.os", constraints["OperatingSystem"]);
        Add("node.platform.arch", constraints["Architecture"]);
        Add("node.hostname", constraints["Hostname"]);
        foreach (var (key, value) in constraints["MatchLabels"] as JsonObject ?? [])
        {
            Add($"node.labels.{key}", value);
        }

        return list;

        void Add(string key, JsonNode? constraint)
        {
            if (constraint is JsonObject c)
            {
                list.Add($"{key}{Text(c["Operator"])}{Text(c["Value"])}");
            }
        }
    }

    private static JsonObject ToComposeFileObject(JsonObject o)
    {
        var c = new JsonObject();
        var external = o["external"]?["external"] is JsonValue e && e.GetValueKind() == JsonValueKind.True;
        var name = Text(o["name"]) is { Length: > 0 } n ? n : Text(o["external"]?["name"]);
        Put(c, "name", name.Length > 0 ? JsonValue.Create(name) : null);
        Put(c, "file", o["file"]);
        if (external)
        {
            c["external"] = true;
        }
        else if (!c.ContainsKey("file"))
        {
            // A secret with neither file nor external: the client made it; Compose needs a source, and external says it exists.
            c["external"] = true;
        }

        Put(c, "labels", o["labels"]);
        return c;
    }

    private static JsonNode? ToDuration(JsonNode? nanoseconds)
        => nanoseconds is JsonValue v && GoJson.TryInt64(v, out var ns) ? JsonValue.Create(GoDuration.Format(ns)) : null;

    private static void Put(JsonObject target, string key, JsonNode? value)
    {
        if (value is not null)
        {
            target[key] = value.DeepClone();
        }
    }
}
