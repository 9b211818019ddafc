using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// The API server's validation that Berth could trip over, cheap to check: workload selectors must be present,
/// match the template labels and never change; pod templates need containers with name and image; Job pods
/// restart OnFailure/Never and a Job's template never changes; Services need ports; PVC specs and immutable
/// Secrets/ConfigMaps don't change. Applied to requests from API clients only (not Seed or the controllers).
/// </summary>
internal static class SpecValidation
{
    public static void Check(ResourceType type, JsonObject candidate, JsonObject? existing)
    {
        var name = candidate["metadata"]?["name"]?.ToString() ?? "";
        switch (type.Kind)
        {
            case "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet":
                CheckSelector(type, name, candidate, existing);
                CheckPodTemplate(type, name, candidate["spec"]?["template"]);
                break;
            case "Job":
                CheckPodTemplate(type, name, candidate["spec"]?["template"]);
                var restart = candidate["spec"]?["template"]?["spec"]?["restartPolicy"]?.ToString();
                if (restart is not ("OnFailure" or "Never"))
                {
                    throw ApiException.Invalid(type, name, "spec.template.spec.restartPolicy",
                        restart is null ? "Required value: valid values: \"OnFailure\", \"Never\"" : $"Unsupported value: \"{restart}\": supported values: \"OnFailure\", \"Never\"");
                }

                // The controller adds labels to the template; compare what a client can set (the spec).
                if (existing is not null && !JsonNode.DeepEquals(existing["spec"]?["template"]?["spec"], candidate["spec"]?["template"]?["spec"]))
                {
                    throw ApiException.Invalid(type, name, "spec.template", "Invalid value: core.PodTemplateSpec{...}: field is immutable");
                }

                break;
            case "Service":
                var serviceType = candidate["spec"]?["type"]?.ToString() ?? "ClusterIP";
                var headless = candidate["spec"]?["clusterIP"]?.ToString() == "None";
                if (serviceType != "ExternalName" && !headless && (candidate["spec"]?["ports"] as JsonArray ?? []).Count == 0)
                {
                    throw ApiException.Invalid(type, name, "spec.ports", "Required value");
                }

                break;
            case "PersistentVolumeClaim" when existing is not null:
                if (!JsonNode.DeepEquals(WithoutResources(existing), WithoutResources(candidate)))
                {
                    throw ApiException.Invalid(type, name, "spec",
                        "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims");
                }

                break;
            case "Secret" or "ConfigMap" when (existing?["immutable"]?.ToString() == "true"):
                if (!JsonNode.DeepEquals(existing["data"], candidate["data"]) || !JsonNode.DeepEquals(existing["binaryData"], candidate["binaryData"]))
                {
                    throw ApiException.Invalid(type, name, "data", "Forbidden: field is immutable when `immutable` is set");
                }

                break;
            default:
                break;
        }
    }

    private static void CheckSelector(ResourceType type, string name, JsonObject candidate, JsonObject? existing)
    {
        var selector = candidate["spec"]?["selector"] as JsonObject;
        if (selector is null || selector.Count == 0)
        {
            throw ApiException.Invalid(type, name, "spec.selector", "Required value");
        }

        var templateLabels = candidate["spec"]?["template"]?["metadata"]?["labels"] as JsonObject ?? new JsonObject();
        var matchLabels = selector["matchLabels"] as JsonObject ?? new JsonObject();
        if (matchLabels.Any(l => templateLabels[l.Key]?.ToString() != l.Value?.ToString()))
        {
            var shown = string.Join(", ", templateLabels.Select(l => $"\"{l.Key}\":\"{l.Value}\""));
            throw ApiException.Invalid(type, name, "spec.template.metadata.labels",
                $"Invalid value: map[string]string{{{shown}}}: `selector` does not match template `labels`");
        }

        if (existing is not null && !JsonNode.DeepEquals(existing["spec"]?["selector"], selector))
        {
            throw ApiException.Invalid(type, name, "spec.selector", $"Invalid value: v1.LabelSelector{{MatchLabels:map[string]string{{{string.Join(", ", matchLabels.Select(l => $"\"{l.Key}\":\"{l.Value}\""))}}}}}: field is immutable");
        }
    }

    private static void CheckPodTemplate(ResourceType type, string name, JsonNode? template)
    {
        var containers = template?["spec"]?["containers"] as JsonArray;
        if (containers is null || containers.Count == 0)
        {
            throw ApiException.Invalid(type, name, "spec.template.spec.containers", "Required value");
        }

        for (var i = 0; i < containers.Count; i++)
        {
            foreach (var field in new[] { "name", "image" })
            {
                if (string.IsNullOrEmpty(containers[i]?[field]?.ToString()))
                {
                    throw ApiException.Invalid(type, name, $"spec.template.spec.containers[{i}].{field}", "Required value");
                }
            }
        }
    }

    private static JsonNode? WithoutResources(JsonObject pvc)
    {
        if (pvc["spec"] is not JsonObject spec)
        {
            return null;
        }

        var copy = (JsonObject)spec.DeepClone();
        copy.Remove("resources");
        copy.Remove("volumeAttributesClassName");
        copy.Remove("volumeName");
        return copy;
    }
}
