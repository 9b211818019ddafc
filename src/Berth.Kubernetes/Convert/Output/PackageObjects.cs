using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Output;

/// <summary>What the Kustomize and Helm layouts share: file names, the object as a JSON tree, its containers.</summary>
internal static class PackageObjects
{
    /// <summary><c>&lt;kind&gt;-&lt;name&gt;.yaml</c>, lower case: unique because a kind's names are unique in the stack's namespace.</summary>
    public static string FileName(IKubernetesObject<V1ObjectMeta> obj)
        => $"{obj.Kind.ToLowerInvariant()}-{obj.Metadata.Name.ToLowerInvariant()}.yaml";

    public static JsonObject ToNode(IKubernetesObject<V1ObjectMeta> obj)
        => (JsonObject)JsonNode.Parse(KubernetesJson.Serialize(obj))!;

    /// <summary>The Compose service an object was made for (its <c>com.docker.service.name</c> label), if any.</summary>
    public static string? ServiceOf(JsonObject node)
        => node["metadata"]?["labels"]?[Berth.Stacks.StackLabels.ServiceName] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;

    /// <summary>Every container and init container anywhere in the object (pod templates of all workload kinds).</summary>
    public static IEnumerable<JsonObject> Containers(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key is "containers" or "initContainers" && value is JsonArray array)
                    {
                        foreach (var container in array.OfType<JsonObject>())
                        {
                            yield return container;
                        }
                    }
                    else
                    {
                        foreach (var inner in Containers(value))
                        {
                            yield return inner;
                        }
                    }
                }

                break;
            case JsonArray items:
                foreach (var inner in items.SelectMany(Containers))
                {
                    yield return inner;
                }

                break;
        }
    }

    public static string? String(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
