using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Convert;
using Berth.StackApi.Types;
using Berth.Stacks;

namespace Berth.StackApi;

/// <summary>
/// Validation of a stack in storage form before it is written, every error at once (the API server's 422 causes):
/// names Kubernetes accepts, required fields and enumerations, the Compose text through Berth's loader, and a dry
/// run of Berth's Kubernetes converter (compose-on-kubernetes's internal/registry/strategyvalidate.go, without its
/// DNS-1123-subdomain check on service names, which let "1web" and "a.b" through to fail at reconcile).
/// </summary>
public static class StackValidator
{
    // k8s.io/apimachinery pkg/util/validation/validation.go messages, so kubectl shows what kube-apiserver would.
    internal const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    internal const string Dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    public static ImmutableArray<FieldError> Validate(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var errors = new List<FieldError>();
        ValidateMetadata(stored["metadata"] as JsonObject, errors);

        var spec = stored["spec"] as JsonObject;
        var text = spec?[StackCodec.ComposeFileKey] is JsonValue t ? t.GetValue<string>() : null;
        var structured = spec?[StackCodec.StackKey] as JsonObject;
        ComposeTextResult? loaded = null;
        if (text is not null)
        {
            loaded = ComposeText.Load(text, stored["metadata"]?["name"]?.GetValue<string>());
            errors.AddRange(loaded.Errors);
            structured ??= loaded.Spec;
        }

        if (structured is null)
        {
            if (text is null)
            {
                errors.Add(new FieldError(FieldErrorTypes.Required, "spec", "Required value: a stack needs services (spec.services) or a Compose file (spec.composeFile)"));
            }

            return [.. errors];
        }

        var structuralErrors = errors.Count;
        ValidateSpec(structured, text is null ? "spec" : ComposeText.Field, errors, loaded?.Project);
        if (errors.Count == structuralErrors && (loaded is null || loaded.Errors.IsEmpty))
        {
            DryRun(stored, structured, text, loaded, errors);
        }

        return [.. errors];
    }

    /// <summary>
    /// Validation of an update: as <see cref="Validate"/>, except that a spec equal to the stored one is not
    /// loaded and converted again. It was when it was written, and an update that leaves it as it is (labels,
    /// annotations, the owner) is not refused for it — kube-apiserver's validation ratcheting for custom resources
    /// (apiextensions-apiserver pkg/apiserver/validation/ratcheting.go: unchanged values are not re-validated).
    /// The metadata is always validated.
    /// </summary>
    public static ImmutableArray<FieldError> ValidateUpdate(JsonObject stored, JsonObject current)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(current);
        if (stored["spec"] is not JsonObject spec || !JsonNode.DeepEquals(spec, current["spec"]))
        {
            return Validate(stored);
        }

        var errors = new List<FieldError>();
        ValidateMetadata(stored["metadata"] as JsonObject, errors);
        return [.. errors];
    }

    private static void ValidateMetadata(JsonObject? metadata, List<FieldError> errors)
    {
        var name = metadata?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null;
        if (string.IsNullOrEmpty(name))
        {
            if (metadata?["generateName"] is null)
            {
                errors.Add(new FieldError(FieldErrorTypes.Required, "metadata.name", "Required value: name or generateName is required"));
            }
        }
        else if (!DnsNames.IsDns1123Subdomain(name))
        {
            errors.Add(new FieldError(FieldErrorTypes.Invalid, "metadata.name", $"Invalid value: {Quote(name)}: {Dns1123SubdomainMessage}"));
        }
        else if (name.Length > DnsNames.MaxLabelLength)
        {
            // The stack name is the value of every child's com.docker.stack.namespace label.
            errors.Add(new FieldError(FieldErrorTypes.TooLong, "metadata.name", $"Too long: may not be more than {DnsNames.MaxLabelLength} bytes"));
        }
    }

    private static void ValidateSpec(JsonObject spec, string root, List<FieldError> errors, Compose.Model.ComposeProject? project)
    {
        var services = StackConversions.Services(spec).ToList();
        var fromText = root == ComposeText.Field;
        string At(int i, string field) => fromText ? root : $"spec.services[{i}]{(field.Length == 0 ? string.Empty : "." + field)}";
        if (services.Count == 0)
        {
            errors.Add(new FieldError(FieldErrorTypes.Required, fromText ? root : "spec.services", "Required value: a stack needs at least one service"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < services.Count; i++)
        {
            var s = services[i];
            var name = Str(s["name"]);
            var first = errors.Count;
            ValidateService(s, name, i, At, seen, errors);
            if (fromText)
            {
                // One field (spec.composeFile) for all: say which service, and where it is in the text.
                var line = project?.Services.TryGetEntry(name, out var entry) == true ? $", line {entry.Key.Location.Line}" : string.Empty;
                for (var e = first; e < errors.Count; e++)
                {
                    errors[e] = errors[e] with { Message = $"{errors[e].Message} (services.{name}{line})" };
                }
            }
        }

        ValidateResourceNames(spec, root, fromText, errors);
    }

    private static void ValidateService(JsonObject s, string name, int i, Func<int, string, string> at, HashSet<string> seen, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(new FieldError(FieldErrorTypes.Required, at(i, "name"), "Required value"));
        }
        else if (!DnsNames.IsDns1035Label(name))
        {
            var detail = name.Length > DnsNames.MaxLabelLength ? "must be no more than 63 characters" : Dns1035Message;
            errors.Add(new FieldError(FieldErrorTypes.Invalid, at(i, "name"), $"Invalid value: {Quote(name)}: {detail}"));
        }
        else if (!seen.Add(name))
        {
            errors.Add(new FieldError(FieldErrorTypes.Duplicate, at(i, "name"), $"Duplicate value: {Quote(name)}"));
        }

        if (Str(s["image"]).Length == 0)
        {
            errors.Add(new FieldError(FieldErrorTypes.Required, at(i, "image"), "Required value"));
        }

        OneOf(s["deploy"]?["mode"], ["replicated", "global"], at(i, "deploy.mode"), errors);
        OneOf(s["deploy"]?["restart_policy"]?["condition"], ["any", "none", "on-failure"], at(i, "deploy.restart_policy.condition"), errors);
        OneOf(s["pull_policy"], ["Always", "IfNotPresent", "Never"], at(i, "pull_policy"), errors);
        OneOf(s["internal_service_type"], ["Headless", "ClusterIP"], at(i, "internal_service_type"), errors);
        var ports = s["ports"] as JsonArray ?? [];
        for (var p = 0; p < ports.Count; p++)
        {
            var port = ports[p] as JsonObject ?? [];
            var target = Number(port["target"]);
            if (target is < 1 or > 65535)
            {
                errors.Add(new FieldError(FieldErrorTypes.Invalid, at(i, $"ports[{p}].target"), $"Invalid value: {target}: must be between 1 and 65535, inclusive"));
            }

            if (Number(port["published"]) > 65535)
            {
                errors.Add(new FieldError(FieldErrorTypes.Invalid, at(i, $"ports[{p}].published"), $"Invalid value: {Number(port["published"])}: must be between 0 and 65535, inclusive"));
            }

            OneOf(port["protocol"], ["tcp", "udp", "TCP", "UDP"], at(i, $"ports[{p}].protocol"), errors);
        }

        var internalPorts = s["internal_ports"] as JsonArray ?? [];
        for (var p = 0; p < internalPorts.Count; p++)
        {
            var port = internalPorts[p] as JsonObject ?? [];
            if (Number(port["port"]) is < 1 or > 65535)
            {
                errors.Add(new FieldError(FieldErrorTypes.Invalid, at(i, $"internal_ports[{p}].port"), $"Invalid value: {Number(port["port"])}: must be between 1 and 65535, inclusive"));
            }

            OneOf(port["protocol"], ["TCP", "UDP", "SCTP"], at(i, $"internal_ports[{p}].protocol"), errors);
        }

        if (s["deploy"]?["placement"]?["constraints"] is JsonObject constraints)
        {
            foreach (var (key, constraint) in constraints.Where(c => c.Key != "MatchLabels").Concat((constraints["MatchLabels"] as JsonObject ?? []).Select(e => KeyValuePair.Create($"MatchLabels[{e.Key}]", e.Value))))
            {
                OneOf(constraint?["Operator"], ["==", "!=", ">", "<"], at(i, $"deploy.placement.constraints.{key}.Operator"), errors, allowEmpty: false, skipNull: constraint is null);
            }
        }

        var volumes = s["volumes"] as JsonArray ?? [];
        for (var v = 0; v < volumes.Count; v++)
        {
            var volume = volumes[v] as JsonObject ?? [];
            if (Str(volume["target"]).Length == 0)
            {
                errors.Add(new FieldError(FieldErrorTypes.Required, at(i, $"volumes[{v}].target"), "Required value"));
            }
        }
    }

    private static void ValidateResourceNames(JsonObject spec, string root, bool fromText, List<FieldError> errors)
    {
        foreach (var section in (string[])["secrets", "configs"])
        {
            foreach (var (key, _) in spec[section] as JsonObject ?? [])
            {
                if (!DnsNames.IsDns1123Subdomain(key))
                {
                    // They become Secret and ConfigMap names.
                    errors.Add(new FieldError(FieldErrorTypes.Invalid, fromText ? root : $"spec.{section}[{key}]", $"Invalid value: {Quote(key)}: {Dns1123SubdomainMessage}"));
                }
            }
        }
    }

    /// <summary>Converts the stack with Berth's Kubernetes converter (pure) and reports its errors.</summary>
    private static void DryRun(JsonObject stored, JsonObject structured, string? text, ComposeTextResult? loaded, List<FieldError> errors)
    {
        var plan = Plan(stored, structured, loaded, errors);
        if (plan is null)
        {
            return;
        }

        Planned.AddOrUpdate(stored, new PlannedFor(stored["spec"]?.ToJsonString(), NamedObjects(plan)));

        foreach (var diagnostic in plan.Diagnostics.Where(d => d.Severity == Severity.Error && d.Code != KubernetesDiagnosticCodes.MissingContent))
        {
            var field = text is not null ? ComposeText.Field : FieldOf(structured, diagnostic.YamlPath);
            var message = ComposeText.ToFieldError(diagnostic).Message;
            errors.Add(new FieldError(FieldErrorTypes.Invalid, field, text is not null ? message : $"Invalid value: {diagnostic.Code}: {diagnostic.Message}{(diagnostic.YamlPath is null ? string.Empty : $" ({diagnostic.YamlPath})")}"));
        }
    }

    /// <summary>
    /// The namespaced objects Berth's converter would create for a stack that passed <see cref="Validate"/> (the
    /// same dry-run conversion): what berth-apiserver's collision check looks for in the cluster.
    /// </summary>
    public static ImmutableArray<PlannedObject> PlannedObjects(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (Planned.TryGetValue(stored, out var validated) && validated.Spec == stored["spec"]?.ToJsonString())
        {
            return validated.Objects;
        }

        var spec = stored["spec"] as JsonObject;
        var text = spec?[StackCodec.ComposeFileKey] is JsonValue t ? t.GetValue<string>() : null;
        var loaded = text is null ? null : ComposeText.Load(text, stored["metadata"]?["name"]?.GetValue<string>());
        var structured = spec?[StackCodec.StackKey] as JsonObject ?? loaded?.Spec;
        var plan = structured is null ? null : Plan(stored, structured, loaded, []);
        return plan is null ? [] : NamedObjects(plan);
    }

    // The dry run's objects of the objects validated last, with the spec they were computed from: the collision check
    // that follows validation of the same object does not load and convert it a second time.
    private static readonly ConditionalWeakTable<JsonObject, PlannedFor> Planned = [];

    private sealed record PlannedFor(string? Spec, ImmutableArray<PlannedObject> Objects);

    private static ImmutableArray<PlannedObject> NamedObjects(KubernetesPlan plan)
        => [.. plan.Objects.Where(o => o.Kind != "Namespace" && o.Metadata?.Name is not null).Select(o => new PlannedObject(o.ApiVersion, o.Kind, o.Metadata.Name))];

    private static KubernetesPlan? Plan(JsonObject stored, JsonObject structured, ComposeTextResult? loaded, List<FieldError> errors)
    {
        var name = stored["metadata"]?["name"]?.GetValue<string>();
        if (loaded?.Project is null)
        {
            loaded = ComposeText.LoadFromSpec(structured, name);
            if (loaded.Project is null)
            {
                errors.AddRange(loaded.Errors.Select(e => e with { Field = "spec" }));
                return null;
            }
        }

        var project = loaded.Project;

        // The client creates secrets and configs from its files (docker/cli stack.go): the server has no contents.
        var files = project.Secrets.Entries.Concat(project.Configs.Entries)
            .Select(e => (e.Value as Compose.Yaml.MappingNode)?["file"] as Compose.Yaml.ScalarNode)
            .Where(f => f is not null)
            .Select(f => f!.AsString())
            .Distinct(StringComparer.Ordinal)
            .ToImmutableDictionary(f => f, _ => ImmutableArray<byte>.Empty, StringComparer.Ordinal);
        return KubernetesConverter.Convert(project, new KubernetesConvertOptions
        {
            Namespace = stored["metadata"]?["namespace"] is JsonValue ns ? ns.GetValue<string>() : "default",
            StackName = name,
            FileContents = files,
        });
    }

    /// <summary>"services.web.ports[0]" → "spec.services[i]" for the structured form.</summary>
    private static string FieldOf(JsonObject structured, string? yamlPath)
    {
        if (yamlPath is not null && yamlPath.StartsWith("services.", StringComparison.Ordinal))
        {
            var rest = yamlPath["services.".Length..];
            var services = StackConversions.Services(structured).ToList();
            for (var i = 0; i < services.Count; i++)
            {
                var service = Str(services[i]["name"]);
                if (rest == service || rest.StartsWith(service + ".", StringComparison.Ordinal) || rest.StartsWith(service + "[", StringComparison.Ordinal))
                {
                    return $"spec.services[{i}]";
                }
            }
        }

        return "spec";
    }

    private static void OneOf(JsonNode? value, string[] allowed, string field, List<FieldError> errors, bool allowEmpty = true, bool skipNull = false)
    {
        if (skipNull)
        {
            return;
        }

        var text = Str(value);
        if ((text.Length == 0 && allowEmpty) || allowed.Contains(text, StringComparer.Ordinal))
        {
            return;
        }

        errors.Add(new FieldError(FieldErrorTypes.NotSupported, field, $"Unsupported value: {Quote(text)}: supported values: {string.Join(", ", allowed.Select(Quote))}"));
    }

    private static string Str(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : string.Empty;

    private static long Number(JsonNode? node) => node is JsonValue v && GoJson.TryInt64(v, out var n) ? n : 0;

    internal static string Quote(string value) => JsonSerializer.Serialize(value);
}
