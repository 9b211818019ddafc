namespace Berth.Kubernetes.ApiDouble;

/// <summary>A resource URL taken apart: /api/v1/namespaces/{ns}/{resource}/{name}/{subresource} and the /apis forms.</summary>
internal sealed record ApiRoute(ResourceType Type, string? Namespace, string? Name, string? Subresource)
{
    /// <param name="path">The URL path.</param>
    /// <param name="custom">Finds a custom resource's type by group, version and plural (the stored CRDs).</param>
    public static ApiRoute? Parse(string path, Func<string, string, string, ResourceType?>? custom = null)
    {
        ResourceType? Find(string group, string version, string plural) => ResourceCatalog.Find(group, version, plural) ?? custom?.Invoke(group, version, plural);

        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group;
        string version;
        string[] rest;
        if (segments.Length >= 3 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 4 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            return null;
        }

        // namespaces/{name}/status is the Namespace's own subresource, not a namespaced collection.
        var namespacedForm = rest.Length >= 3 && rest[0] == "namespaces" && !(rest.Length == 3 && group.Length == 0 && rest[2] is "status" or "finalize");
        if (namespacedForm)
        {
            var type = Find(group, version, rest[2]);
            if (type is null || !type.Namespaced || rest.Length > 5)
            {
                return null;
            }

            return new ApiRoute(type, rest[1], rest.Length > 3 ? rest[3] : null, rest.Length > 4 ? rest[4] : null);
        }

        var clusterType = Find(group, version, rest[0]);
        if (clusterType is null || rest.Length > 3 || (clusterType.Namespaced && rest.Length > 1))
        {
            return null;
        }

        return new ApiRoute(clusterType, null, rest.Length > 1 ? rest[1] : null, rest.Length > 2 ? rest[2] : null);
    }
}
