using System.Text.Json.Nodes;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Apply;
using Berth.StackService;

namespace Berth.Controller.Reconcile;

/// <summary>
/// Before anything is written: whether the owner may make every change a deploy plans, asked with one
/// SubjectAccessReview per kind and verb (authorization.k8s.io/v1, as kubectl auth can-i --as does). Objects are
/// applied in dependency order, so a refusal met while applying would leave the earlier kinds written; asking first
/// keeps a refused stack from being half-deployed. The writes themselves are still made as the owner and
/// authorized by the cluster; this only moves the refusal before the first write.
/// </summary>
internal static class OwnerAccess
{
    /// <summary>The first refusal, in kube-apiserver's words (responsewriters.forbiddenMessage), or null when every change is allowed.</summary>
    public static async Task<string?> RefusalAsync(k8s.Kubernetes controllerClient, Impersonation owner, string @namespace, IEnumerable<StackChange> changes, CancellationToken cancellationToken)
    {
        // Server-side apply is authorized as "patch" (creating included); prune and replacement delete.
        var asks = changes
            .SelectMany(c => c.Action switch
            {
                "remove" => [("delete", c.Kind)],
                "replace" => new[] { ("delete", c.Kind), ("patch", c.Kind) },
                _ => [("patch", c.Kind)],
            })
            .Distinct()
            .Select(a => (a.Item1, Kind: ResourceKinds.Find(a.Item2)))
            .Where(a => a.Kind is not null);
        foreach (var (verb, kind) in asks)
        {
            var review = new JsonObject
            {
                ["apiVersion"] = "authorization.k8s.io/v1",
                ["kind"] = "SubjectAccessReview",
                ["spec"] = new JsonObject
                {
                    ["user"] = owner.User,
                    ["groups"] = new JsonArray([.. owner.Groups.Select(g => JsonValue.Create(g))]),
                    ["extra"] = new JsonObject(owner.Extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray([.. e.Value.Select(v => JsonValue.Create(v))])))),
                    ["resourceAttributes"] = new JsonObject
                    {
                        ["namespace"] = @namespace,
                        ["verb"] = verb,
                        ["group"] = kind!.Group,
                        ["resource"] = kind.Plural,
                    },
                },
            };
            var answer = await ClusterJson.SendAsync(controllerClient, HttpMethod.Post, "apis/authorization.k8s.io/v1/subjectaccessreviews", review, null, cancellationToken).ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                // The controller may not ask: the writes decide (and a refusal there is reported as it comes).
                return null;
            }

            if (answer.Body?["status"]?["allowed"]?.GetValue<bool>() != true)
            {
                var group = kind.Group.Length == 0 ? kind.Plural : $"{kind.Plural}.{kind.Group}";
                return $"{group} is forbidden: User \"{owner.User}\" cannot {verb} resource \"{kind.Plural}\" in API group \"{kind.Group}\" in the namespace \"{@namespace}\"";
            }
        }

        return null;
    }
}
