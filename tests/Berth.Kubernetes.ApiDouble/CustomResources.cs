using System.Globalization;
using System.Text.RegularExpressions;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// One served version of a custom resource: the type at the request's version, the type objects are stored at
/// (the CRD's storage version) and what the CRD says about that version: its schema, the storage version's schema
/// (objects are pruned and validated at the version they are stored at), its subresources.
/// </summary>
internal sealed record CustomResourceVersion(
    ResourceType Type,
    ResourceType Storage,
    JsonObject Definition,
    JsonObject? Schema,
    JsonObject? StorageSchema,
    bool StatusSubresource)
{
    public string Singular => Definition["spec"]?["names"]?["singular"]?.ToString() is { Length: > 0 } singular ? singular : Type.Kind.ToLowerInvariant();

    public JsonArray ShortNames => Definition["spec"]?["names"]?["shortNames"]?.DeepClone() as JsonArray ?? [];

    public JsonArray Categories => Definition["spec"]?["names"]?["categories"]?.DeepClone() as JsonArray ?? [];

    public string CrdName => Definition["metadata"]!["name"]!.ToString();

    /// <summary>spec.conversion.strategy: None (only apiVersion changes) or Webhook.</summary>
    public bool WebhookConversion => Definition["spec"]?["conversion"]?["strategy"]?.ToString() == "Webhook";
}

/// <summary>
/// The custom resources of every CustomResourceDefinition stored in this double (per instance: read from its store
/// on each request, so nothing is static), after apiextensions-apiserver's customresource_handler.go (serving by
/// group, served version, plural, scope) and customresource_discovery_controller.go (discovery).
/// </summary>
internal sealed partial class CustomResources(ObjectStore store)
{
    public static readonly ResourceType Definitions = ResourceCatalog.Require("customresourcedefinitions.apiextensions.k8s.io");

    /// <summary>The type for a URL's group/version/plural when a CRD serves it (for <see cref="ApiRoute.Parse"/>).</summary>
    public ResourceType? FindType(string group, string version, string plural) => Find(group, version, plural)?.Type;

    public CustomResourceVersion? Find(string group, string version, string plural)
    {
        lock (store.Gate)
        {
            foreach (var crd in store.List(Definitions, null))
            {
                var spec = crd["spec"] as JsonObject;
                if (spec?["group"]?.ToString() == group && spec["names"]?["plural"]?.ToString() == plural && Version(crd, version) is { } served)
                {
                    return served;
                }
            }
        }

        return null;
    }

    /// <summary>The served version a type stands for, or null for a built-in type.</summary>
    public CustomResourceVersion? Served(ResourceType type) =>
        ResourceCatalog.Find(type.Group, type.Version, type.Plural) is null && Find(type.Group, type.Version, type.Plural) is { } served && served.Type == type ? served : null;

    /// <summary>Every served version of every CRD, for discovery.</summary>
    public IReadOnlyList<CustomResourceVersion> All()
    {
        lock (store.Gate)
        {
            return store.List(Definitions, null)
                .SelectMany(crd => (crd["spec"]?["versions"] as JsonArray ?? []).Select(v => Version(crd, v?["name"]?.ToString() ?? "")))
                .OfType<CustomResourceVersion>()
                .ToList();
        }
    }

    private static CustomResourceVersion? Version(JsonObject crd, string version)
    {
        var spec = crd["spec"] as JsonObject;
        var versions = (spec?["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var entry = versions.FirstOrDefault(v => v["name"]?.ToString() == version);
        var storageEntry = versions.FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true);
        var storage = storageEntry?["name"]?.ToString();
        if (entry is null || entry["served"]?.GetValue<bool>() != true || storage is null)
        {
            return null;
        }

        var group = spec!["group"]!.ToString();
        var plural = spec["names"]!["plural"]!.ToString();
        var kind = spec["names"]!["kind"]!.ToString();
        var namespaced = spec["scope"]?.ToString() != "Cluster";
        var subresources = entry["subresources"] as JsonObject;
        return new CustomResourceVersion(
            new ResourceType(group, version, plural, kind, namespaced),
            new ResourceType(group, storage, plural, kind, namespaced),
            crd,
            entry["schema"]?["openAPIV3Schema"] as JsonObject,
            storageEntry!["schema"]?["openAPIV3Schema"] as JsonObject,
            subresources?["status"] is not null);
    }

    /// <summary>
    /// Checks a CRD an API client writes, the rules of apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go
    /// the double relies on (name = plural.group, one storage version, a served version, a structural schema per version),
    /// so a CRD the double stores is one a cluster would have stored.
    /// </summary>
    public static void Validate(JsonObject crd)
    {
        var name = crd["metadata"]?["name"]?.ToString() ?? "";
        var spec = crd["spec"] as JsonObject ?? [];
        var group = spec["group"]?.ToString() ?? "";
        var names = spec["names"] as JsonObject ?? [];
        var plural = names["plural"]?.ToString() ?? "";
        var errors = new List<(string Field, string Message)>();
        if (name != $"{plural}.{group}")
        {
            errors.Add(("metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"));
        }

        if (group.Length == 0)
        {
            errors.Add(("spec.group", "Required value"));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(("spec.group", $"Invalid value: \"{group}\": should be a domain with at least one dot"));
        }

        if (plural.Length == 0)
        {
            errors.Add(("spec.names.plural", "Required value"));
        }

        if ((names["kind"]?.ToString() ?? "").Length == 0)
        {
            errors.Add(("spec.names.kind", "Required value"));
        }

        if (spec["scope"]?.ToString() is not ("Namespaced" or "Cluster"))
        {
            errors.Add(("spec.scope", $"Unsupported value: \"{spec["scope"]}\": supported values: \"Cluster\", \"Namespaced\""));
        }

        var versions = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var storage = versions.Count(v => v["storage"]?.GetValue<bool>() == true);
        if (versions.Count == 0)
        {
            errors.Add(("spec.versions", "Invalid value: null: must have exactly one version marked as storage version"));
        }
        else if (storage != 1)
        {
            errors.Add(("spec.versions", $"Invalid value: []apiextensions.CustomResourceDefinitionVersion{{...}}: must have exactly one version marked as storage version"));
        }

        if (versions.Count > 0 && !versions.Any(v => v["served"]?.GetValue<bool>() == true))
        {
            errors.Add(("spec.versions", "Invalid value: []apiextensions.CustomResourceDefinitionVersion{...}: must have at least one version marked as served"));
        }

        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i]["schema"]?["openAPIV3Schema"] is not JsonObject)
            {
                // apiextensions.k8s.io/v1 requires a schema for every version.
                errors.Add(($"spec.versions[{i}].schema.openAPIV3Schema", "Required value: schemas are required"));
            }
        }

        if (spec["conversion"]?["strategy"]?.ToString() == "Webhook" && spec["conversion"]?["webhook"]?["clientConfig"] is not JsonObject)
        {
            errors.Add(("spec.conversion.webhook.clientConfig", "Required value: required when strategy is set to Webhook"));
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid(Definitions, name, errors);
        }
    }

    /// <summary>
    /// A request for CustomResourceDefinitions: a written CRD is validated first and established after; a deleted one
    /// takes its custom resources along.
    /// </summary>
    public (int Code, JsonNode Answer) WriteDefinition(string verb, ApiRoute route, string? body, Func<(int Code, JsonNode Answer)> stored)
    {
        if (verb is "create" or "update" && JsonNodeOrNull(body) is JsonObject written)
        {
            Validate(written);
        }

        JsonObject? before = null;
        if (verb == "delete" && route.Name is not null)
        {
            lock (store.Gate)
            {
                before = store.Find(Definitions, null, route.Name)?.Object.DeepClone() as JsonObject;
            }
        }

        var (code, answer) = stored();
        if (verb is "create" or "update" or "patch" && answer["metadata"]?["name"]?.ToString() is { } name)
        {
            Establish(name);
            lock (store.Gate)
            {
                answer = store.Find(Definitions, null, name)?.Object.DeepClone() ?? answer;
            }
        }
        else if (before is not null)
        {
            RemoveInstances(before);
        }

        return (code, answer);
    }

    private static JsonNode? JsonNodeOrNull(string? body)
    {
        try
        {
            return JsonNode.Parse(body ?? "");
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The status the apiextensions controllers give an accepted CRD (naming_controller.go: NamesAccepted,
    /// acceptedNames; establishing_controller.go: Established; storedVersions), set at once instead of a moment later.
    /// </summary>
    public void Establish(string crdName)
    {
        lock (store.Gate)
        {
            if (store.Find(Definitions, null, crdName) is not { } stored)
            {
                return;
            }

            var spec = stored.Object["spec"] as JsonObject ?? [];
            var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().First(v => v["storage"]?.GetValue<bool>() == true)["name"]!.ToString();
            var status = stored.Object["status"]?.DeepClone() as JsonObject ?? [];
            var storedVersions = (status["storedVersions"] as JsonArray ?? []).Select(v => v!.ToString()).ToList();
            if (!storedVersions.Contains(storage))
            {
                storedVersions.Add(storage);
            }

            var existing = status["conditions"] as JsonArray;
            var since = existing?.OfType<JsonObject>().FirstOrDefault(c => c["type"]?.ToString() == "Established")?["lastTransitionTime"]?.ToString() ?? store.Now();
            status["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "NamesAccepted", ["status"] = "True", ["lastTransitionTime"] = since, ["reason"] = "NoConflicts", ["message"] = "no conflicts found" },
                new JsonObject { ["type"] = "Established", ["status"] = "True", ["lastTransitionTime"] = since, ["reason"] = "InitialNamesAccepted", ["message"] = "the initial names have been accepted" });
            status["acceptedNames"] = spec["names"]?.DeepClone();
            status["storedVersions"] = new JsonArray(storedVersions.Select(v => (JsonNode)v).ToArray());
            store.ReplaceStatus(Definitions, null, crdName, status);
        }
    }

    /// <summary>
    /// A deleted CRD takes its custom resources with it (the customresourcecleanup finalizer's controller,
    /// finalizer/crd_finalizer.go), done at once here.
    /// </summary>
    public void RemoveInstances(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? [];
        var storage = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true)?["name"]?.ToString();
        if (storage is null)
        {
            return;
        }

        var type = new ResourceType(spec["group"]!.ToString(), storage, spec["names"]!["plural"]!.ToString(), spec["names"]!["kind"]!.ToString(), spec["scope"]?.ToString() != "Cluster");
        lock (store.Gate)
        {
            foreach (var instance in store.List(type, null))
            {
                var metadata = instance["metadata"]!;
                if (store.Find(type, metadata["namespace"]?.ToString(), metadata["name"]!.ToString()) is { } found)
                {
                    store.Delete(type, found.Namespace.Length == 0 ? null : found.Namespace, found.Name);
                }
            }
        }
    }

    /// <summary>
    /// Kubernetes' version order (k8s.io/apimachinery/pkg/version/helpers.go CompareKubeAwareVersionStrings): GA before
    /// beta before alpha, higher numbers first, then non-Kubernetes versions alphabetically; discovery lists versions in it.
    /// </summary>
    public static int CompareVersions(string left, string right)
    {
        static (int Rank, int Major, int Minor) Parse(string v)
        {
            var match = KubeVersion().Match(v);
            if (!match.Success)
            {
                return (3, 0, 0);
            }

            var major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0;
            var rank = match.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
            return (rank, major, minor);
        }

        var (l, r) = (Parse(left), Parse(right));
        if (l.Rank != r.Rank)
        {
            return l.Rank.CompareTo(r.Rank);
        }

        if (l.Rank == 3)
        {
            return string.CompareOrdinal(left, right);
        }

        return l.Major != r.Major ? r.Major.CompareTo(l.Major) : r.Minor.CompareTo(l.Minor);
    }

    [GeneratedRegex("^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")]
    private static partial Regex KubeVersion();
}
