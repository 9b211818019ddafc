using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>Who a request is served as: the authenticated user, or the user it impersonates and who asked for that.</summary>
public sealed record RequestIdentity(DoubleUser User, string? ImpersonatedBy);

/// <summary>
/// kube-apiserver's impersonation filter, after AS/pkg/endpoints/filters/impersonation.go (k8s.io/apiserver,
/// release-1.32): Impersonate-User, Impersonate-Uid, Impersonate-Group (one value per header line) and
/// Impersonate-Extra-&lt;%-escaped key&gt;. Each impersonated value is authorized separately for the requester with the
/// verb "impersonate" and the value as resource name; the request then runs as the impersonated user.
/// </summary>
internal static class Impersonation
{
    private const string UserHeader = "Impersonate-User";
    private const string UidHeader = "Impersonate-Uid";
    private const string GroupHeader = "Impersonate-Group";
    private const string ExtraPrefix = "Impersonate-Extra-";
    private const string AuthenticationGroup = "authentication.k8s.io";
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    // One thing asked for, as the filter's ObjectReference: what the requester must be allowed to impersonate.
    private sealed record Request(string Kind, string Group, string Resource, string Subresource, string? Namespace, string Name, string ApiVersion = "", string FieldPath = "")
    {
        // Go's %v of a v1.ObjectReference: {Kind Namespace Name UID APIVersion ResourceVersion FieldPath}.
        public override string ToString() => $"{{{Kind} {Namespace} {Name}  {ApiVersion}  {FieldPath}}}";
    }

    /// <summary>The identity to serve the request as; throws the Status the real filter answers when it refuses.</summary>
    public static RequestIdentity Resolve(KubernetesApiDouble server, DoubleUser requester, IHeaderDictionary headers)
    {
        var requests = Requests(headers);
        if (requests.Count == 0)
        {
            return new RequestIdentity(requester, null);
        }

        var userName = "";
        var uid = "";
        var groups = new List<string>();
        var extra = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var groupsSpecified = headers[GroupHeader].Count > 0;
        foreach (var request in requests)
        {
            switch (request.Kind)
            {
                case "ServiceAccount":
                    userName = $"{ServiceAccountPrefix}{request.Namespace}:{request.Name}";
                    if (!groupsSpecified)
                    {
                        // serviceaccount.MakeGroupNames: a service account's groups are fixed.
                        groups.AddRange(["system:serviceaccounts", $"system:serviceaccounts:{request.Namespace}"]);
                    }

                    break;
                case "User":
                    userName = request.Name;
                    break;
                case "Group":
                    groups.Add(request.Name);
                    break;
                case "UserExtra":
                    (extra.TryGetValue(request.FieldPath, out var values) ? values : extra[request.FieldPath] = []).Add(request.Name);
                    break;
                default:
                    uid = request.Name;
                    break;
            }

            if (!server.SubjectAllowed(requester.Name, requester.Groups, "impersonate", request.Group, request.Resource, request.Subresource, request.Namespace, request.Name))
            {
                throw Forbidden(request, requester.Name);
            }
        }

        // A non-anonymous impersonated user is in system:authenticated unless the groups asked for say
        // system:authenticated or system:unauthenticated themselves.
        if (userName != "system:anonymous" && !groups.Contains("system:authenticated") && !groups.Contains("system:unauthenticated"))
        {
            groups.Add("system:authenticated");
        }

        var user = new DoubleUser(
            userName,
            uid,
            [.. groups],
            extra.ToImmutableDictionary(e => e.Key, e => e.Value.ToImmutableArray(), StringComparer.Ordinal));
        return new RequestIdentity(user, requester.Name);
    }

    // buildImpersonationRequests: the user first, then groups, extras and the uid; groups, extras or a uid without a
    // user are an error the filter answers with responsewriters.InternalError (500), not 400.
    private static List<Request> Requests(IHeaderDictionary headers)
    {
        var requests = new List<Request>();
        var user = headers[UserHeader].FirstOrDefault() ?? "";
        if (user.Length > 0)
        {
            var parts = user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) ? user[ServiceAccountPrefix.Length..].Split(':') : [];
            requests.Add(parts is [{ Length: > 0 } ns, { Length: > 0 } name]
                ? new Request("ServiceAccount", "", "serviceaccounts", "", ns, name)
                : new Request("User", "", "users", "", null, user));
        }

        foreach (var group in headers[GroupHeader])
        {
            requests.Add(new Request("Group", "", "groups", "", null, group ?? ""));
        }

        foreach (var (name, values) in headers)
        {
            if (!name.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // unescapeExtraKey: lower-cased, then %-unescaped (an undecodable key is kept as sent).
            var key = name[ExtraPrefix.Length..].ToLowerInvariant();
            try
            {
                key = Uri.UnescapeDataString(key);
            }
            catch (UriFormatException)
            {
            }

            requests.AddRange(values.Select(v => new Request("UserExtra", AuthenticationGroup, "userextras", key, null, v ?? "", "authentication.k8s.io/v1", key)));
        }

        var uid = headers[UidHeader].FirstOrDefault() ?? "";
        if (uid.Length > 0)
        {
            requests.Add(new Request("UID", AuthenticationGroup, "uids", "", null, uid, "authentication.k8s.io/v1"));
        }

        if (user.Length == 0 && requests.Count > 0)
        {
            throw ApiException.InternalError($"requested [{string.Join(' ', requests)}] without impersonating a user");
        }

        return requests;
    }

    // responsewriters.Forbidden with the impersonate attributes: users "alice" is forbidden: User "bob" cannot
    // impersonate resource "users" in API group "" at the cluster scope.
    private static ApiException Forbidden(Request request, string requester)
    {
        var resource = request.Subresource.Length > 0 ? $"{request.Resource}/{request.Subresource}" : request.Resource;
        var qualified = request.Group.Length > 0 ? $"{request.Resource}.{request.Group}" : request.Resource;
        var scope = request.Namespace is { } ns ? $"in the namespace \"{ns}\"" : "at the cluster scope";
        var message = $"{qualified} \"{request.Name}\" is forbidden: User \"{requester}\" cannot impersonate resource \"{resource}\" in API group \"{request.Group}\" {scope}";
        return new ApiException(403, "Forbidden", message, new JsonObject { ["name"] = request.Name, ["group"] = request.Group, ["kind"] = request.Resource });
    }
}
