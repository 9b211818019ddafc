using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// TokenReview and SubjectAccessReview, for servers that delegate authentication and authorization to this double
/// (berth-apiserver's Delegated mode). Test double only: the answers come from what the test registered, not RBAC.
/// </summary>
public sealed partial class KubernetesApiDouble
{
    private const string TokenReviews = "/apis/authentication.k8s.io/v1/tokenreviews";
    private const string SubjectAccessReviews = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

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

    /// <summary>
    /// The one authorization decision of the double, for its front (before proxying) and for SubjectAccessReviews:
    /// users given to <see cref="DenyUser"/> are refused resource requests; users of the aggregation layer
    /// (<see cref="AggregationLayer.AddUser"/>, and the default user) get what its rules allow; anyone else is allowed.
    /// </summary>
    internal bool SubjectAllowed(string user, IReadOnlyCollection<string> groups, string verb, string group, string resource, string subresource, string? @namespace, string? name = null)
    {
        if (_deniedUsers.ContainsKey(user))
        {
            return false;
        }

        return !Aggregation.Governs(user)
            || Aggregation.Allowed(new DoubleUser(user, "", [.. groups], System.Collections.Immutable.ImmutableDictionary<string, System.Collections.Immutable.ImmutableArray<string>>.Empty), verb, group, resource, subresource, @namespace, name);
    }

    /// <summary>The answer to POST tokenreviews or subjectaccessreviews, or null for any other request.</summary>
    internal JsonObject? Review(string method, string path, string? body)
    {
        if (method != "POST" || body is null || path is not (TokenReviews or SubjectAccessReviews))
        {
            return null;
        }

        var review = JsonNode.Parse(body) as JsonObject ?? throw new ApiException(400, "BadRequest", "the review is not a JSON object");
        var spec = review["spec"] as JsonObject ?? [];
        switch (path)
        {
            case TokenReviews:
                var token = spec["token"]?.ToString() ?? string.Empty;
                review["status"] = _reviewTokens.TryGetValue(token, out var user)
                    ? new JsonObject { ["authenticated"] = true, ["user"] = user.DeepClone() }
                    : Aggregation.UserOfToken(token) is { } front
                        ? new JsonObject { ["authenticated"] = true, ["user"] = new JsonObject { ["username"] = front.Name, ["uid"] = front.Uid, ["groups"] = new JsonArray([.. front.Groups.Select(g => (JsonNode)g)]) } }
                        : new JsonObject { ["authenticated"] = false, ["error"] = "token not known to the test double" };
                // The token is not echoed back.
                spec.Remove("token");
                return review;
            case SubjectAccessReviews:
                _accessReviews.Enqueue((JsonObject)spec.DeepClone());
                var name = spec["user"]?.ToString() ?? string.Empty;
                var groups = (spec["groups"] as JsonArray ?? []).Select(g => g?.ToString() ?? string.Empty).ToArray();
                var denied = spec["resourceAttributes"] is JsonObject attributes
                    ? !SubjectAllowed(name, groups, attributes["verb"]?.ToString() ?? "", attributes["group"]?.ToString() ?? "", attributes["resource"]?.ToString() ?? "", attributes["subresource"]?.ToString() ?? "", attributes["namespace"]?.ToString() is { Length: > 0 } ns ? ns : null, attributes["name"]?.ToString())
                    : Aggregation.Governs(name) && !Aggregation.AllowedPathFor(name, groups, spec["nonResourceAttributes"]?["verb"]?.ToString() ?? "get");
                review["status"] = denied
                    ? new JsonObject { ["allowed"] = false, ["denied"] = true, ["reason"] = "denied by the test double" }
                    : new JsonObject { ["allowed"] = true };
                return review;
            default:
                return null;
        }
    }
}
