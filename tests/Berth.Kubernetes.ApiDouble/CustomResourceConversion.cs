using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// Converts custom resources between a CRD's versions (apiextensions-apiserver pkg/apiserver/conversion): strategy None
/// only rewrites apiVersion (nop_converter.go); strategy Webhook sends one ConversionReview (apiextensions.k8s.io/v1) with
/// every object not yet at the desired version to <c>spec.conversion.webhook.clientConfig</c> (webhook_converter.go,
/// 30 s timeout) and checks the answer: same uid, Success, as many objects, each at the desired version.
/// </summary>
internal sealed class CustomResourceConversion(WebhookClient client)
{
    private static readonly TimeSpan WebhookTimeout = TimeSpan.FromSeconds(30);

    public JsonObject Convert(CustomResourceVersion served, JsonObject obj, string desiredApiVersion, CancellationToken cancellationToken) =>
        Convert(served, [obj], desiredApiVersion, cancellationToken)[0];

    public List<JsonObject> Convert(CustomResourceVersion served, IReadOnlyList<JsonObject> objects, string desiredApiVersion, CancellationToken cancellationToken)
    {
        var pending = objects.Where(o => o["apiVersion"]?.ToString() != desiredApiVersion).ToList();
        if (pending.Count == 0)
        {
            return objects.ToList();
        }

        if (!served.WebhookConversion)
        {
            return objects.Select(o => Retagged(o, desiredApiVersion)).ToList();
        }

        var from = pending[0]["apiVersion"]?.ToString();
        var gvk = $"{from}, Kind={served.Type.Kind}";
        var uid = Guid.NewGuid().ToString();
        var review = new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "ConversionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = uid,
                ["desiredAPIVersion"] = desiredApiVersion,
                ["objects"] = new JsonArray(pending.Select(o => o.DeepClone()).ToArray()),
            },
        };
        JsonObject answer;
        try
        {
            var clientConfig = served.Definition["spec"]?["conversion"]?["webhook"]?["clientConfig"] as JsonObject ?? [];
            answer = client.Post(clientConfig, review, WebhookTimeout, cancellationToken);
        }
        catch (WebhookCallException failed)
        {
            throw ApiException.InternalError($"conversion webhook for {gvk} failed: {failed.Message}");
        }

        var response = answer["response"] as JsonObject;
        if (response?["uid"]?.ToString() != uid)
        {
            throw ApiException.InternalError($"conversion webhook for {gvk} returned invalid metadata: expected response uid \"{uid}\", got \"{response?["uid"]}\"");
        }

        if (response["result"]?["status"]?.ToString() != "Success")
        {
            throw ApiException.InternalError($"conversion webhook for {gvk} returned failure: {response["result"]?["message"]}");
        }

        var converted = (response["convertedObjects"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        if (converted.Count != pending.Count)
        {
            throw ApiException.InternalError($"conversion webhook for {gvk} returned {converted.Count} objects, expected {pending.Count}");
        }

        for (var i = 0; i < converted.Count; i++)
        {
            if (converted[i]["apiVersion"]?.ToString() != desiredApiVersion)
            {
                throw ApiException.InternalError($"conversion webhook for {gvk} returned invalid converted object at index {i}: invalid apiVersion \"{converted[i]["apiVersion"]}\", expected \"{desiredApiVersion}\"");
            }

            // webhook_converter.go restores metadata but labels and annotations from the original object.
            var metadata = (JsonObject)pending[i]["metadata"]!.DeepClone();
            metadata["labels"] = converted[i]["metadata"]?["labels"]?.DeepClone();
            metadata["annotations"] = converted[i]["metadata"]?["annotations"]?.DeepClone();
            foreach (var key in new[] { "labels", "annotations" })
            {
                if (metadata[key] is null)
                {
                    metadata.Remove(key);
                }
            }

            converted[i]["metadata"] = metadata;
        }

        var next = 0;
        return objects.Select(o => o["apiVersion"]?.ToString() == desiredApiVersion ? o : (JsonObject)converted[next++].DeepClone()).ToList();
    }

    private static JsonObject Retagged(JsonObject obj, string apiVersion)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy["apiVersion"] = apiVersion;
        return copy;
    }
}
