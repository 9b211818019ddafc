using System.Collections.Immutable;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// One rule of what an API server refuses to change on an existing object (422), for one kind Berth writes.
/// <see cref="Source"/> names the validation function (kubernetes release-1.36, file). <see cref="Immutable"/> says
/// whether a changed field path (as <see cref="FieldDiff"/> names it) falls under the rule, given both bodies.
/// </summary>
internal sealed record ImmutableRule(string Kind, string Fields, string Source, Func<string, JsonObject, JsonObject, bool> Immutable);

/// <summary>
/// The immutable-field table: a changed field a rule matches cannot be applied, so the object must be deleted and
/// created again (a replacement) or, when it holds data, not touched at all. Kinds without a row (NetworkPolicy,
/// Ingress, HorizontalPodAutoscaler, Namespace) only re-validate the new object on update.
/// </summary>
internal static class ImmutableFields
{
    /// <summary>StatefulSet spec fields an update may change (ValidateStatefulSetUpdate copies these over before comparing).</summary>
    public static readonly ImmutableArray<string> StatefulSetMutable =
        ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"];

    private const string Release = "kubernetes release-1.36";

    public static readonly ImmutableArray<ImmutableRule> Rules =
    [
        new("StatefulSet", "spec.* except replicas, ordinals, template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy, minReadySeconds",
            $"{Release} pkg/apis/apps/validation/validation.go ValidateStatefulSetUpdate",
            (path, _, _) => Under(path, "spec") is { } field && !StatefulSetMutable.Contains(field)),
        new("Deployment", "spec.selector", $"{Release} pkg/registry/apps/deployment/strategy.go ValidateUpdate (apps/v1: ValidateImmutableField of the selector)",
            (path, _, _) => Within(path, "spec.selector")),
        new("DaemonSet", "spec.selector", $"{Release} pkg/registry/apps/daemonset/strategy.go ValidateUpdate (apps/v1: ValidateImmutableField of the selector)",
            (path, _, _) => Within(path, "spec.selector")),
        new("Job", "spec.selector, spec.completions, spec.template", $"{Release} pkg/apis/batch/validation/validation.go ValidateJobSpecUpdate",
            (path, _, _) => Within(path, "spec.selector") || Within(path, "spec.completions") || Within(path, "spec.template")),
        new("Service", "spec.clusterIP, spec.clusterIPs (so headless <-> ClusterIP), unless either side is ExternalName",
            $"{Release} pkg/apis/core/validation/validation.go ValidateServiceUpdate (validateServiceClusterIPsRelatedFields, validateUpgradeDowngradeClusterIPs)",
            (path, desired, live) => (Within(path, "spec.clusterIP") || Within(path, "spec.clusterIPs"))
                && (string?)desired["spec"]?["type"] != "ExternalName" && (string?)live["spec"]?["type"] != "ExternalName"),
        new("PersistentVolumeClaim", "spec.* except a larger resources.requests.storage (needs a bound claim and an expandable StorageClass) and volumeAttributesClassName",
            $"{Release} pkg/apis/core/validation/validation.go ValidatePersistentVolumeClaimUpdate",
            (path, desired, live) => Under(path, "spec") is { } field && field != "volumeAttributesClassName"
                && !(path == "spec.resources.requests.storage" && Storage(desired) > Storage(live))),
        new("Secret", "type; data when immutable is set", $"{Release} pkg/apis/core/validation/validation.go ValidateSecretUpdate",
            (path, _, live) => path == "type" || (IsImmutable(live) && (Within(path, "data") || path == "immutable"))),
        new("ConfigMap", "data, binaryData when immutable is set", $"{Release} pkg/apis/core/validation/validation.go ValidateConfigMapUpdate",
            (path, _, live) => IsImmutable(live) && (Within(path, "data") || Within(path, "binaryData") || path == "immutable")),
    ];

    /// <summary>The changed fields of <paramref name="fields"/> the server would refuse on this kind, in order.</summary>
    public static ImmutableArray<string> Refused(string kind, IEnumerable<string> fields, JsonObject desired, JsonObject live)
    {
        var rules = Rules.Where(r => r.Kind == kind).ToList();
        return rules.Count == 0 ? [] : [.. fields.Where(f => rules.Any(r => r.Immutable(f, desired, live)))];
    }

    /// <summary>The claim names a StatefulSet's pods use: <c>{template}-{name}-{ordinal}</c> for every replica.</summary>
    public static ImmutableArray<string> StatefulSetClaims(JsonObject statefulSet)
    {
        var name = (string?)statefulSet["metadata"]?["name"] ?? string.Empty;
        var replicas = statefulSet["spec"]?["replicas"] is JsonValue r && r.TryGetValue<int>(out var count) ? count : 1;
        var start = statefulSet["spec"]?["ordinals"]?["start"] is JsonValue s && s.TryGetValue<int>(out var first) ? first : 0;
        var templates = (statefulSet["spec"]?["volumeClaimTemplates"] as JsonArray ?? []).Select(t => (string?)t?["metadata"]?["name"]).OfType<string>();
        return [.. templates.SelectMany(t => Enumerable.Range(start, Math.Max(1, replicas)).Select(i => $"{t}-{name}-{i}"))];
    }

    /// <summary>The claims a Deployment's or DaemonSet's pods mount by name.</summary>
    public static ImmutableArray<string> MountedClaims(JsonObject workload)
        => [.. (workload["spec"]?["template"]?["spec"]?["volumes"] as JsonArray ?? [])
            .Select(v => (string?)v?["persistentVolumeClaim"]?["claimName"]).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>The claims a workload's pods use, whatever its kind.</summary>
    public static ImmutableArray<string> Claims(JsonObject workload)
        => (string?)workload["kind"] == "StatefulSet" ? [.. StatefulSetClaims(workload), .. MountedClaims(workload)] : MountedClaims(workload);

    /// <summary>The first segment below <paramref name="root"/> (<c>spec.serviceName</c> → <c>serviceName</c>), or null.</summary>
    private static string? Under(string path, string root)
    {
        if (!path.StartsWith(root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = path[(root.Length + 1)..];
        var end = rest.IndexOfAny(['.', '[']);
        return end < 0 ? rest : rest[..end];
    }

    private static bool Within(string path, string field)
        => path == field || path.StartsWith(field + ".", StringComparison.Ordinal) || path.StartsWith(field + "[", StringComparison.Ordinal);

    private static bool IsImmutable(JsonObject live) => live["immutable"] is JsonValue v && v.TryGetValue<bool>(out var set) && set;

    private static decimal Storage(JsonObject claim)
    {
        var text = (string?)claim["spec"]?["resources"]?["requests"]?["storage"];
        try
        {
            return text is null ? 0 : new ResourceQuantity(text).ToDecimal();
        }
        catch (FormatException)
        {
            return 0;
        }
    }
}
