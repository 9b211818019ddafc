using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// TokenReview and SubjectAccessReview, for servers that delegate authentication and authorization to this double
/// (berth-apiserver's Delegated mode). Test double only: the answers come from what the test registered, not RBAC.
/// </summary>
public sealed partial class KubernetesApiDouble
{
    private readonly ConcurrentDictionary<string, JsonObject> _reviewTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _deniedUsers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<JsonObject> _accessReviews = new();

    /// <summary>A token a TokenReview authenticates as <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public void AddReviewToken(string token, string user, string uid, params string[] groups)
        => _reviewTokens[token] = new JsonObject
        {
            ["username"] = user,
            ["uid"] = uid,
            ["groups"] = new JsonArray([.. groups.Select(g => (JsonNode)g)]),
        };

    /// <summary>
    /// SubjectAccessReviews of resource requests by <paramref name="user"/> answer allowed=false from now on; paths
    /// (discovery, /openapi) and other users stay allowed, as with RBAC's system:discovery binding.
    /// </summary>
    public void DenyUser(string user) => _deniedUsers[user] = 0;

    /// <summary>The specs of the SubjectAccessReviews received so far, oldest first.</summary>
    public IReadOnlyList<JsonObject> AccessReviews => [.. _accessReviews];

    /// <summary>The answer to POST tokenreviews or subjectaccessreviews, or null for any other request.</summary>
    internal JsonObject? Review(string method, string path, string? body)
    {
        if (method != "POST" || body is null)
        {
            return null;
        }

        var review = JsonNode.Parse(body) as JsonObject ?? throw new ApiException(400, "BadRequest", "the review is not a JSON object");
        var spec = review["spec"] as JsonObject ?? [];
        switch (path)
        {
            case "/apis/authentication.k8s.io/v1/tokenreviews":
                var token = spec["token"]?.ToString() ?? string.Empty;
                review["status"] = _reviewTokens.TryGetValue(token, out var user)
                    ? new JsonObject { ["authenticated"] = true, ["user"] = user.DeepClone() }
                    : new JsonObject { ["authenticated"] = false, ["error"] = "token not known to the test double" };
                return review;
            case "/apis/authorization.k8s.io/v1/subjectaccessreviews":
                _accessReviews.Enqueue((JsonObject)spec.DeepClone());
                var denied = spec["resourceAttributes"] is not null && _deniedUsers.ContainsKey(spec["user"]?.ToString() ?? string.Empty);
                review["status"] = denied
                    ? new JsonObject { ["allowed"] = false, ["denied"] = true, ["reason"] = "denied by the test double" }
                    : new JsonObject { ["allowed"] = true };
                return review;
            default:
                return null;
        }
    }
}
