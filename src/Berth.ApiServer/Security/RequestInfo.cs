
namespace Berth.ApiServer.Security;

/// <summary>
/// What a request asks for, as the authorizer sees it: k8s.io/apiserver's RequestInfo
/// (AS/pkg/endpoints/request/requestinfo.go): verb from the method (GET with a name = get, without = list, with
/// watch=true = watch; DELETE without a name = deletecollection), group, version, namespace, resource, name, subresource.
/// </summary>
internal sealed record RequestInfo(bool IsResourceRequest, string Verb, string Path, string ApiGroup = "", string ApiVersion = "", string Namespace = "", string Resource = "", string Subresource = "", string Name = "")
{
    public static RequestInfo From(HttpRequest request) => Parse(request.Method, request.Path.Value ?? "/", request.Query["watch"].ToString(), request.Query["fieldSelector"].ToString());

    public static RequestInfo Parse(string method, string path, string watch, string fieldSelector)
    {
        var lowerVerb = method.ToUpperInvariant() switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };
        var parts = path.Trim('/').Split('/', StringSplitOptions.None);
        // Only /apis/<group>/<version>/... names resources; everything else (/apis, /version, /openapi, ...) is a path.
        if (parts.Length < 3 || parts[0] != "apis")
        {
            return new RequestInfo(false, lowerVerb, path);
        }

        var group = parts[1];
        var version = parts[2];
        var rest = parts[3..];
        var ns = string.Empty;
        if (rest.Length >= 2 && rest[0] == "namespaces")
        {
            ns = rest[1];
            // /namespaces/<ns> alone is the namespace object itself.
            rest = rest.Length == 2 ? ["namespaces"] : rest[2..];
            if (rest is ["namespaces"])
            {
                return new RequestInfo(true, lowerVerb, path, group, version, string.Empty, "namespaces", string.Empty, ns);
            }
        }

        if (rest.Length == 0 || rest[0].Length == 0)
        {
            return new RequestInfo(false, lowerVerb, path);
        }

        var resource = rest[0];
        var name = rest.Length >= 2 ? rest[1] : string.Empty;
        var subresource = rest.Length >= 3 ? rest[2] : string.Empty;
        var verb = lowerVerb;
        if (name.Length == 0)
        {
            if (verb == "get")
            {
                verb = IsTrue(watch) ? "watch" : "list";
            }
            else if (verb == "delete")
            {
                verb = "deletecollection";
            }
        }

        // A list or watch narrowed to one name by fieldSelector=metadata.name=X is authorized for that name.
        if (verb is "list" or "watch" && fieldSelector.Length > 0)
        {
            foreach (var term in fieldSelector.Split(','))
            {
                var pair = term.Split('=', StringSplitOptions.RemoveEmptyEntries);
                if (pair.Length == 2 && pair[0].Trim() == "metadata.name")
                {
                    name = pair[1].Trim();
                }
                else if (term.Contains("==", StringComparison.Ordinal) && term.Split("==")[0].Trim() == "metadata.name")
                {
                    name = term.Split("==")[1].Trim();
                }
            }
        }

        return new RequestInfo(true, verb, path, group, version, ns, resource, subresource, name);
    }

    private static bool IsTrue(string value) => value is "true" or "1" or "True";
}
