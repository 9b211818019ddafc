using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// The API server's validation that Berth could trip over, cheap to check, with the server's wording and its
/// aggregation (several errors: <c>is invalid: [a, b]</c>). Applied to requests from API clients only (not Seed
/// or the controllers). The update rules follow kubernetes v1.31: pkg/apis/apps/validation/validation.go
/// (ValidateStatefulSetUpdate; selectors via pkg/registry/apps/*/strategy.go ValidateUpdate),
/// pkg/apis/batch/validation/validation.go (ValidateJobSpecUpdate), pkg/apis/core/validation/validation.go
/// (ValidateServiceUpdate, ValidatePersistentVolumeClaimUpdate, ValidateConfigMapUpdate, ValidateSecretUpdate).
/// </summary>
internal static class SpecValidation
{
    public const string StatefulSetSpecForbidden =
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

    private const string FieldIsImmutable = "field is immutable";
    private const string ImmutableWhenSet = "Forbidden: field is immutable when `immutable` is set";

    private static readonly string[] StatefulSetMutable =
        ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    public static void Check(ResourceType type, JsonObject candidate, JsonObject? existing)
    {
        var name = candidate["metadata"]?["name"]?.ToString() ?? "";
        var errors = new List<(string Field, string Message)>();
        switch (type.Kind)
        {
            case "Deployment" or "DaemonSet" or "ReplicaSet":
                CheckSelector(candidate, errors);
                CheckPodTemplate(candidate["spec"]?["template"], errors);
                ImmutableSelector(candidate, existing, errors);
                break;
            case "StatefulSet":
                CheckSelector(candidate, errors);
                CheckPodTemplate(candidate["spec"]?["template"], errors);
                if (existing is not null && !JsonNode.DeepEquals(Without(existing["spec"], StatefulSetMutable), Without(candidate["spec"], StatefulSetMutable)))
                {
                    errors.Add(("spec", StatefulSetSpecForbidden));
                }

                break;
            case "Job":
                CheckJob(candidate, existing, errors);
                break;
            case "Service":
                CheckService(candidate, existing, errors);
                break;
            case "PersistentVolumeClaim" when existing is not null:
                CheckClaimUpdate(candidate, existing, errors);
                break;
            case "ConfigMap" or "Secret" when existing is not null:
                CheckImmutableData(type, candidate, existing, errors);
                break;
            case "APIService":
                CheckApiService(candidate, name, errors);
                break;
            case "Lease":
                LeaseValidation.Check(candidate, errors);
                break;
            default:
                break;
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(type, name, errors);
        }
    }

    /// <summary>
    /// kube-aggregator's ValidateAPIService (staging/src/k8s.io/kube-aggregator/pkg/apis/apiregistration/validation/validation.go):
    /// the name is version.group, groupPriorityMinimum in (0, 20000], versionPriority in (0, 1000].
    /// </summary>
    private static void CheckApiService(JsonObject candidate, string name, List<(string, string)> errors)
    {
        var spec = candidate["spec"] as JsonObject ?? [];
        if (name != $"{spec["version"]}.{spec["group"]}")
        {
            errors.Add(("metadata.name", $"Invalid value: \"{name}\": must be `spec.version+\".\"+spec.group`"));
        }

        var group = spec["groupPriorityMinimum"]?.GetValue<int>() ?? 0;
        if (group is <= 0 or > 20000)
        {
            errors.Add(("spec.groupPriorityMinimum", $"Invalid value: {group}: must be positive and less than 20000"));
        }

        var version = spec["versionPriority"]?.GetValue<int>() ?? 0;
        if (version is <= 0 or > 1000)
        {
            errors.Add(("spec.versionPriority", $"Invalid value: {version}: must be positive and less than 1000"));
        }
    }

    private static void CheckSelector(JsonObject candidate, List<(string, string)> errors)
    {
        var selector = candidate["spec"]?["selector"] as JsonObject;
        if (selector is null || selector.Count == 0)
        {
            errors.Add(("spec.selector", "Required value"));
            return;
        }

        var templateLabels = candidate["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? new JsonObject();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        if (matchLabels.Any(l => templateLabels[l.Key]?.ToString() != l.Value?.ToString()))
        {
            errors.Add(("spec.template.metadata.labels", $"Invalid value: {GoValue.StringMap(templateLabels)}: `selector` does not match template `labels`"));
        }
    }

    /// <summary>apps/v1 and batch/v1 selectors never change (apivalidation.ValidateImmutableField prints the new value).</summary>
    private static void ImmutableSelector(JsonObject candidate, JsonObject? existing, List<(string, string)> errors)
    {
        if (existing is not null && !JsonNode.DeepEquals(existing["spec"]?["selector"], candidate["spec"]?["selector"]))
        {
            errors.Add(("spec.selector", $"Invalid value: {GoValue.LabelSelector(candidate["spec"]?["selector"] as JsonObject)}: {FieldIsImmutable}"));
        }
    }

    private static void CheckPodTemplate(JsonNode? template, List<(string, string)> errors)
    {
        var containers = template?["spec"]?["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            errors.Add(("spec.template.spec.containers", "Required value"));
            return;
        }

        for (var i = 0; i < containers.Count; i++)
        {
            foreach (var field in new[] { "name", "image" })
            {
                if (string.IsNullOrEmpty(containers[i]?[field]?.ToString()))
                {
                    errors.Add(($"spec.template.spec.containers[{i}].{field}", "Required value"));
                }
            }
        }
    }

    private static void CheckJob(JsonObject candidate, JsonObject? existing, List<(string, string)> errors)
    {
        CheckPodTemplate(candidate["spec"]?["template"], errors);
        var restart = candidate["spec"]?["template"]?["spec"]?["restartPolicy"]?.ToString();
        if (restart is not ("OnFailure" or "Never"))
        {
            errors.Add(("spec.template.spec.restartPolicy",
                restart is null ? "Required value: valid values: \"OnFailure\", \"Never\"" : $"Unsupported value: \"{restart}\": supported values: \"OnFailure\", \"Never\""));
        }

        if (existing is null)
        {
            return;
        }

        var before = existing["spec"];
        var after = candidate["spec"];
        if (!JsonNode.DeepEquals(before?["completions"], after?["completions"]))
        {
            errors.Add(("spec.completions", $"Invalid value: {after?["completions"]?.ToJsonString() ?? "null"}: {FieldIsImmutable}"));
        }

        // The Job controller adds a selector and template labels when the client sets none; compare what a
        // client can set: a selector it sent, and the template's pod spec.
        if (after?["selector"] is JsonObject && !JsonNode.DeepEquals(before?["selector"], after["selector"]))
        {
            errors.Add(("spec.selector", $"Invalid value: {GoValue.LabelSelector(after["selector"] as JsonObject)}: {FieldIsImmutable}"));
        }

        if (!JsonNode.DeepEquals(before?["template"]?["spec"], after?["template"]?["spec"]))
        {
            errors.Add(("spec.template", $"Invalid value: core.PodTemplateSpec{{...}}: {FieldIsImmutable}"));
        }
    }

    private static void CheckService(JsonObject candidate, JsonObject? existing, List<(string, string)> errors)
    {
        var spec = candidate["spec"];
        var serviceType = spec?["type"]?.ToString() ?? "ClusterIP";
        var headless = spec?["clusterIP"]?.ToString() == "None";
        if (serviceType != "ExternalName" && !headless && (spec?["ports"] as JsonArray ?? []).Count == 0)
        {
            errors.Add(("spec.ports", "Required value"));
        }

        if (existing is null)
        {
            return;
        }

        // validateUpgradeDowngradeClusterIPs: no change to an allocated address unless either side is ExternalName
        // or both are headless (clusterIP was normalized into clusterIPs by ObjectDefaults, as the REST layer does).
        var oldSpec = existing["spec"];
        if (serviceType == "ExternalName" || (oldSpec?["type"]?.ToString() ?? "ClusterIP") == "ExternalName"
            || (headless && oldSpec?["clusterIP"]?.ToString() == "None"))
        {
            return;
        }

        var oldIps = Strings(oldSpec?["clusterIPs"]);
        var newIps = Strings(spec?["clusterIPs"]);
        if (oldIps.Count == newIps.Count)
        {
            for (var i = 0; i < oldIps.Count; i++)
            {
                if (oldIps[i] != newIps[i])
                {
                    errors.Add(($"spec.clusterIPs[{i}]", $"Invalid value: {GoValue.Strings(newIps)}: may not change once set"));
                }
            }
        }
        else if (newIps.Count == 0)
        {
            errors.Add(("spec.clusterIPs[0]", $"Invalid value: {GoValue.Strings(newIps)}: primary clusterIP can not be unset"));
        }
        else if (oldIps.Count > 0 && oldIps[0] != newIps[0])
        {
            errors.Add(("spec.clusterIPs[0]", $"Invalid value: {GoValue.Strings(newIps)}: may not change once set"));
        }
    }

    /// <summary>
    /// ValidatePersistentVolumeClaimUpdate (RecoverVolumeExpansionFailure off): the spec is frozen except a
    /// volumeName set once and, for a bound claim, resources.requests; storage never shrinks.
    /// </summary>
    private static void CheckClaimUpdate(JsonObject candidate, JsonObject existing, List<(string, string)> errors)
    {
        var oldSpec = existing["spec"] as JsonObject ?? new JsonObject();
        var newSpec = candidate["spec"] as JsonObject ?? new JsonObject();
        var ignored = new List<string> { "volumeAttributesClassName" };
        if (string.IsNullOrEmpty(oldSpec["volumeName"]?.ToString()))
        {
            ignored.Add("volumeName");
        }

        var bound = candidate["status"]?["phase"]?.ToString() == "Bound";
        var oldComparable = (JsonObject)Without(oldSpec, ignored)!;
        var newComparable = (JsonObject)Without(newSpec, ignored)!;
        if (bound)
        {
            oldComparable["resources"] = Without(oldComparable["resources"], ["requests"]);
            newComparable["resources"] = Without(newComparable["resources"], ["requests"]);
        }

        if (!JsonNode.DeepEquals(oldComparable, newComparable))
        {
            // The real message goes on with a go-cmp diff of the two specs (not reproduced; see README).
            errors.Add(("spec", "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
        }

        var oldSize = Quantity.Parse(oldSpec["resources"]?["requests"]?["storage"]?.ToString());
        var newSize = Quantity.Parse(newSpec["resources"]?["requests"]?["storage"]?.ToString());
        if (newSize < oldSize)
        {
            errors.Add(("spec.resources.requests.storage", "Forbidden: field can not be less than previous value"));
        }
    }

    private static void CheckImmutableData(ResourceType type, JsonObject candidate, JsonObject existing, List<(string, string)> errors)
    {
        if (type.Kind == "Secret" && !JsonNode.DeepEquals(existing["type"], candidate["type"]))
        {
            errors.Add(("type", $"Invalid value: {GoValue.Quote(candidate["type"]?.ToString() ?? "")}: {FieldIsImmutable}"));
        }

        if (existing["immutable"] is not JsonValue wasImmutable || wasImmutable.GetValueKind() != JsonValueKind.True)
        {
            return;
        }

        if (candidate["immutable"] is not JsonValue isImmutable || isImmutable.GetValueKind() != JsonValueKind.True)
        {
            errors.Add(("immutable", ImmutableWhenSet));
        }

        foreach (var field in type.Kind == "Secret" ? ["data"] : new[] { "data", "binaryData" })
        {
            if (!JsonNode.DeepEquals(existing[field], candidate[field]))
            {
                errors.Add((field, ImmutableWhenSet));
            }
        }
    }

    private static List<string> Strings(JsonNode? node) => (node as JsonArray)?.Select(v => v?.ToString() ?? "").ToList() ?? [];

    private static JsonNode? Without(JsonNode? node, IEnumerable<string> fields)
    {
        if (node is not JsonObject map)
        {
            return node?.DeepClone();
        }

        var copy = (JsonObject)map.DeepClone();
        foreach (var field in fields)
        {
            copy.Remove(field);
        }

        return copy;
    }
}

/// <summary>Values printed the way Go's %#v / %q print them in field.Invalid messages.</summary>
internal static class GoValue
{
    public static string Quote(string value) => JsonSerializer.Serialize(value);

    public static string Strings(IReadOnlyList<string> values) =>
        values.Count == 0 ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(Quote)) + "}";

    public static string StringMap(JsonObject? map) =>
        map is null ? "map[string]string(nil)"
        : "map[string]string{" + string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}:{Quote(p.Value?.ToString() ?? "")}")) + "}";

    /// <summary>A metav1.LabelSelector as %#v prints it (the pointer is dereferenced by field.Error).</summary>
    public static string LabelSelector(JsonObject? selector)
    {
        if (selector is null)
        {
            return "null";
        }

        var expressions = (selector["matchExpressions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var printed = expressions.Count == 0
            ? "[]v1.LabelSelectorRequirement(nil)"
            : "[]v1.LabelSelectorRequirement{" + string.Join(", ", expressions.Select(e =>
                $"v1.LabelSelectorRequirement{{Key:{Quote(e["key"]?.ToString() ?? "")}, Operator:{Quote(e["operator"]?.ToString() ?? "")}, Values:{Strings(e["values"] is JsonArray values ? values.Select(v => v?.ToString() ?? "").ToList() : [])}}}")) + "}";
        return $"v1.LabelSelector{{MatchLabels:{StringMap(selector["matchLabels"] as JsonObject)}, MatchExpressions:{printed}}}";
    }
}

/// <summary>Just enough of resource.Quantity to compare storage sizes ("1Gi", "500M", "1.5Gi", "2e3").</summary>
internal static class Quantity
{
    private static readonly (string Suffix, decimal Factor)[] Suffixes =
    [
        ("Ki", 1024m), ("Mi", 1024m * 1024), ("Gi", 1024m * 1024 * 1024), ("Ti", 1024m * 1024 * 1024 * 1024),
        ("Pi", 1024m * 1024 * 1024 * 1024 * 1024), ("Ei", 1024m * 1024 * 1024 * 1024 * 1024 * 1024),
        ("k", 1e3m), ("M", 1e6m), ("G", 1e9m), ("T", 1e12m), ("P", 1e15m), ("E", 1e18m), ("m", 1e-3m),
    ];

    public static decimal Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        foreach (var (suffix, factor) in Suffixes)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && decimal.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var scaled))
            {
                return scaled * factor;
            }
        }

        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) ? plain : 0;
    }
}
