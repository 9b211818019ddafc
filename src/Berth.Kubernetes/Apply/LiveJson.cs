using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// A live object as JSON. The client reads <c>managedFields[].fieldsV1</c> into a JsonElement, which the
/// source-generated <see cref="KubernetesJson"/> cannot write back; it is set aside, the rest serialized, and put back.
/// </summary>
internal static class LiveJson
{
    public static JsonObject Serialize(IKubernetesObject<V1ObjectMeta> live)
    {
        var entries = live.Metadata?.ManagedFields ?? [];
        var saved = entries.Select(e => e.FieldsV1).ToList();
        JsonObject json;
        try
        {
            foreach (var entry in entries)
            {
                entry.FieldsV1 = null;
            }

            json = JsonNode.Parse(KubernetesJson.Serialize(live))!.AsObject();
        }
        finally
        {
            var i = 0;
            foreach (var entry in entries)
            {
                entry.FieldsV1 = saved[i++];
            }
        }

        if (json["metadata"]?["managedFields"] is JsonArray managed)
        {
            for (var i = 0; i < managed.Count && i < saved.Count; i++)
            {
                if (managed[i] is JsonObject entry && FieldsJson(saved[i]) is { } fields)
                {
                    entry["fieldsV1"] = fields;
                }
            }
        }

        return json;
    }

    private static JsonNode? FieldsJson(object? fields) => fields switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText()),
        JsonNode node => node.DeepClone(),
        string text => JsonNode.Parse(text),
        _ => null,
    };
}
