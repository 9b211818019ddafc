using System.Text.Json.Nodes;

namespace Berth.ApiServer.Security;

/// <summary>An authorization decision and, when denied, the authorizer's reason (appended to the 403 message).</summary>
internal sealed record AuthorizationDecision(bool Allowed, string Reason);

/// <summary>Decides whether a user may do what a request asks (--authorization-mode).</summary>
internal interface IAuthorizer
{
    Task<AuthorizationDecision> AuthorizeAsync(UserInfo user, RequestInfo request, CancellationToken cancellationToken);
}

/// <summary>--authorization-mode AlwaysAllow: every authenticated user may do everything.</summary>
internal sealed class AlwaysAllowAuthorizer : IAuthorizer
{
    public Task<AuthorizationDecision> AuthorizeAsync(UserInfo user, RequestInfo request, CancellationToken cancellationToken)
        => Task.FromResult(new AuthorizationDecision(true, string.Empty));
}

/// <summary>
/// --authorization-mode Delegated: a SubjectAccessReview to the cluster for each decision, cached 10 s
/// (AS/plugin/pkg/authorizer/webhook/webhook.go); system:masters is allowed without asking, as the delegating
/// authorizer's privileged-group rule does.
/// </summary>
internal sealed class SubjectAccessReviewAuthorizer(ClusterClient cluster, TimeProvider time, ILogger logger) : IAuthorizer
{
    private readonly DecisionCache<AuthorizationDecision> _cache = new(TimeSpan.FromSeconds(10), time);

    public async Task<AuthorizationDecision> AuthorizeAsync(UserInfo user, RequestInfo request, CancellationToken cancellationToken)
    {
        if (user.Groups.Contains(UserInfo.MastersGroup))
        {
            return new AuthorizationDecision(true, string.Empty);
        }

        var review = Review(user, request);
        var key = review["spec"]!.ToJsonString();
        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        try
        {
            var answer = await cluster.PostAsync("apis/authorization.k8s.io/v1/subjectaccessreviews", review, cancellationToken).ConfigureAwait(false);
            var status = answer["status"] as JsonObject;
            var decision = new AuthorizationDecision(status?["allowed"]?.GetValue<bool>() == true, status?["reason"]?.ToString() ?? string.Empty);
            _cache.Set(key, decision);
            return decision;
        }
        catch (HttpRequestException e)
        {
            // Not cached, and not allowed: an unreachable authorizer must never open the door.
            logger.LogWarning("SubjectAccessReview failed: {Error}", e.Message);
            return new AuthorizationDecision(false, "the authorizer could not be reached");
        }
    }

    /// <summary>The SubjectAccessReview for a request, attributes as webhook.go sends them.</summary>
    public static JsonObject Review(UserInfo user, RequestInfo request)
    {
        var spec = new JsonObject
        {
            ["user"] = user.Name,
            ["groups"] = new JsonArray([.. user.Groups.Select(g => (JsonNode)g)]),
        };
        if (user.Uid is not null)
        {
            spec["uid"] = user.Uid;
        }

        if (!user.Extra.IsEmpty)
        {
            var extra = new JsonObject();
            foreach (var (k, v) in user.Extra.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                extra[k] = new JsonArray([.. v.Select(x => (JsonNode)x)]);
            }

            spec["extra"] = extra;
        }

        if (request.IsResourceRequest)
        {
            var attributes = new JsonObject
            {
                ["namespace"] = request.Namespace,
                ["verb"] = request.Verb,
                ["group"] = request.ApiGroup,
                ["version"] = request.ApiVersion,
                ["resource"] = request.Resource,
            };
            if (request.Subresource.Length > 0)
            {
                attributes["subresource"] = request.Subresource;
            }

            if (request.Name.Length > 0)
            {
                attributes["name"] = request.Name;
            }

            spec["resourceAttributes"] = attributes;
        }
        else
        {
            spec["nonResourceAttributes"] = new JsonObject { ["path"] = request.Path, ["verb"] = request.Verb };
        }

        return new JsonObject
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SubjectAccessReview",
            ["spec"] = spec,
        };
    }
}
