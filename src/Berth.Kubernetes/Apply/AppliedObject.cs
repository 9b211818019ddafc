using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// The body Berth sends for one object: the converted object with the namespace set, the workload's
/// <c>berth.io/config-revision</c> pod-template annotation and the <c>berth.io/applied-hash</c> annotation, the
/// sha256 of the canonical JSON of everything else (for Secrets without <c>data</c>/<c>stringData</c>: a hash of
/// secret content is never stored; their data is compared with the live object instead). A workload a
/// HorizontalPodAutoscaler of the plan scales is sent without <c>spec.replicas</c>.
/// </summary>
internal static class AppliedObject
{
    public const string HashAnnotation = "berth.io/applied-hash";
    public const string ConfigRevisionAnnotation = "berth.io/config-revision";

    public static JsonObject Build(IKubernetesObject<V1ObjectMeta> desired, string @namespace, string? configRevision, bool omitReplicas = false)
    {
        var body = JsonNode.Parse(KubernetesJson.Serialize(desired))!.AsObject();
        if (omitReplicas && body["spec"] is JsonObject spec)
        {
            // Sending the Compose replica count would fight the autoscaler on every changed deploy.
            spec.Remove("replicas");
        }

        var metadata = (body["metadata"] ??= new JsonObject()).AsObject();
        if (desired.Kind != "Namespace")
        {
            metadata["namespace"] = @namespace;
        }

        if (configRevision is not null && body["spec"]?["template"] is JsonObject template)
        {
            var templateMetadata = (template["metadata"] ??= new JsonObject()).AsObject();
            var annotations = (templateMetadata["annotations"] ??= new JsonObject()).AsObject();
            annotations[ConfigRevisionAnnotation] = configRevision;
        }

        var hash = Hash(body);
        var objectAnnotations = (metadata["annotations"] ??= new JsonObject()).AsObject();
        objectAnnotations[HashAnnotation] = hash;
        return body;
    }

    /// <summary>sha256 of the canonical JSON (keys sorted, no hash annotation, for Secrets no data).</summary>
    public static string Hash(JsonObject body)
    {
        var copy = body.DeepClone().AsObject();
        if (copy["metadata"]?["annotations"] is JsonObject annotations)
        {
            annotations.Remove(HashAnnotation);
            if (annotations.Count == 0)
            {
                copy["metadata"]!.AsObject().Remove("annotations");
            }
        }

        if ((string?)copy["kind"] == "Secret")
        {
            copy.Remove("data");
            copy.Remove("stringData");
        }

        var canonical = Canonical(copy)!.ToJsonString();
        return System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static string? LiveHash(IKubernetesObject<V1ObjectMeta> live)
        => live.Metadata?.Annotations is { } a && a.TryGetValue(HashAnnotation, out var value) ? value : null;

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonical)]),
        null => null,
        _ => node.DeepClone(),
    };
}
