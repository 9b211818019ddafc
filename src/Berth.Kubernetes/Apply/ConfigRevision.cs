using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// The <c>berth.io/config-revision</c> value of a workload: the sorted <c>Kind/name=resourceVersion</c> list of the
/// stack's Secrets and ConfigMaps its pod template references. New content gives a new resourceVersion, so the pod
/// template changes and the workload rolls out; no value derived from the content is stored.
/// </summary>
internal static class ConfigRevision
{
    /// <summary>The stack's Secrets and ConfigMaps (<c>Kind/name</c>) the workload's pod template uses, sorted.</summary>
    public static IReadOnlyList<string> References(IKubernetesObject<V1ObjectMeta> workload, ISet<string> stackObjects)
    {
        var spec = JsonNode.Parse(KubernetesJson.Serialize(workload))?["spec"]?["template"]?["spec"];
        var found = new SortedSet<string>(StringComparer.Ordinal);
        void Add(string kind, JsonNode? name)
        {
            if (name is JsonValue value && value.TryGetValue<string>(out var text) && stackObjects.Contains($"{kind}/{text}"))
            {
                found.Add($"{kind}/{text}");
            }
        }

        foreach (var volume in spec?["volumes"]?.AsArray() ?? [])
        {
            Add("Secret", volume?["secret"]?["secretName"]);
            Add("ConfigMap", volume?["configMap"]?["name"]);
            foreach (var source in volume?["projected"]?["sources"]?.AsArray() ?? [])
            {
                Add("Secret", source?["secret"]?["name"]);
                Add("ConfigMap", source?["configMap"]?["name"]);
            }
        }

        foreach (var container in (spec?["containers"]?.AsArray() ?? []).Concat(spec?["initContainers"]?.AsArray() ?? []))
        {
            foreach (var env in container?["env"]?.AsArray() ?? [])
            {
                Add("Secret", env?["valueFrom"]?["secretKeyRef"]?["name"]);
                Add("ConfigMap", env?["valueFrom"]?["configMapKeyRef"]?["name"]);
            }

            foreach (var from in container?["envFrom"]?.AsArray() ?? [])
            {
                Add("Secret", from?["secretRef"]?["name"]);
                Add("ConfigMap", from?["configMapRef"]?["name"]);
            }
        }

        return [.. found];
    }

    /// <summary>The annotation value, or null when the workload references none of the stack's Secrets/ConfigMaps.</summary>
    public static string? Value(IReadOnlyList<string> references, IReadOnlyDictionary<string, string> resourceVersions)
        => references.Count == 0
            ? null
            : string.Join(',', references.Select(r => $"{r}={resourceVersions.GetValueOrDefault(r, "?")}"));
}
