using System.Text.Json.Nodes;
using Berth.Kubernetes.Apply;

namespace Berth.Controller.Tests.Reconcile;

/// <summary>
/// A stack's objects in the documented Kubernetes API test double (not a cluster), and the field-by-field comparison
/// of what the CLI deploys with what the controller deploys for the same Compose file (aggregated and CRD mode alike).
/// </summary>
internal static class StackObjects
{
    /// <summary>Every object of <paramref name="stack"/> in <paramref name="ns"/>, by kind/name, read through the API.</summary>
    public static async Task<SortedDictionary<string, JsonObject>> ListAsync(HttpClient client, string ns, string stack, CancellationToken cancellationToken)
    {
        var objects = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var kind in ResourceKinds.All)
        {
            using var response = await client.GetAsync($"{kind.CollectionPath(ns)}?labelSelector={Uri.EscapeDataString($"com.docker.stack.namespace={stack}")}", cancellationToken);
            var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
            foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
            {
                objects[$"{kind.Kind}/{item["metadata"]!["name"]}"] = item;
            }
        }

        return objects;
    }

    /// <summary>
    /// The same objects, field by field, except what differs by nature; each of the controller's carries one
    /// controlling ownerReference to the stack (<paramref name="stackUid"/>), the CLI's none.
    /// </summary>
    public static void AssertSame(SortedDictionary<string, JsonObject> byCli, string cliNs, SortedDictionary<string, JsonObject> byController, string stackNs, string stackName, string stackUid)
    {
        Assert.Equal(byCli.Keys, byController.Keys);
        foreach (var (id, cliObject) in byCli)
        {
            var stackObject = byController[id];
            var owner = Assert.Single(stackObject["metadata"]!["ownerReferences"]!.AsArray());
            Assert.Equal(("compose.docker.com/v1beta2", "Stack", stackName, stackUid, true), (owner!["apiVersion"]!.ToString(), owner["kind"]!.ToString(), owner["name"]!.ToString(), owner["uid"]!.ToString(), owner["controller"]!.GetValue<bool>()));
            Assert.Null(cliObject["metadata"]!["ownerReferences"]);
            Assert.Equal(Comparable(cliObject, cliNs).ToJsonString(), Comparable(stackObject, stackNs).ToJsonString());
        }
    }

    // Without what differs by nature: identity, versions, times, managedFields, the namespace, ownerReferences,
    // status, the Service addresses and node ports the server allocates, and the applied-hash annotation (a hash of
    // the body, which holds the namespace and the ownerReference).
    private static JsonObject Comparable(JsonObject item, string ns)
    {
        var copy = (JsonObject)JsonNode.Parse(item.ToJsonString().Replace($"\"{ns}\"", "\"NS\"", StringComparison.Ordinal).Replace($".{ns}.", ".NS.", StringComparison.Ordinal))!;
        var metadata = (JsonObject)copy["metadata"]!;
        foreach (var key in new[] { "uid", "resourceVersion", "creationTimestamp", "managedFields", "namespace", "ownerReferences", "generation" })
        {
            metadata.Remove(key);
        }

        (metadata["annotations"] as JsonObject)?.Remove(AppliedObject.HashAnnotation);
        copy.Remove("status");
        if (copy["kind"]?.ToString() == "Service" && copy["spec"] is JsonObject spec)
        {
            // Allocated by the server, not applied.
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                port.Remove("nodePort");
            }
        }

        return copy;
    }
}
