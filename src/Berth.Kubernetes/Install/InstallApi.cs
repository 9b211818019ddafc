using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Autorest;

namespace Berth.Kubernetes.Install;

/// <summary>Where a kind lives in the API: its plural and whether it is namespaced.</summary>
internal sealed record InstallKind(string ApiVersion, string Kind, string Plural, bool Namespaced)
{
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : string.Empty;

    public string CollectionPath(string? @namespace)
        => (Group.Length == 0 ? $"api/{ApiVersion}/" : $"apis/{ApiVersion}/")
           + (Namespaced && @namespace is not null ? $"namespaces/{Uri.EscapeDataString(@namespace)}/" : string.Empty)
           + Plural;

    public string ObjectPath(string? @namespace, string name) => $"{CollectionPath(@namespace)}/{Uri.EscapeDataString(name)}";

    /// <summary>Every kind install makes, in apply order (uninstall goes backwards).</summary>
    public static readonly IReadOnlyList<InstallKind> All =
    [
        new("v1", "Namespace", "namespaces", false),
        new("v1", "ServiceAccount", "serviceaccounts", true),
        new("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false),
        new("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false),
        new("rbac.authorization.k8s.io/v1", "Role", "roles", true),
        new("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true),
        new("v1", "Secret", "secrets", true),
        new("v1", "ConfigMap", "configmaps", true),
        // The webhook configurations before the CRD: with failurePolicy Fail, no stack can be written until the
        // mutating webhook records its owner, so the controller never meets a stack whose owner annotation was forged
        // in a window between the two.
        new("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false),
        new("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false),
        new("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false),
        new("v1", "Service", "services", true),
        new("apps/v1", "StatefulSet", "statefulsets", true),
        new("apps/v1", "Deployment", "deployments", true),
        new("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true),
        new("apiregistration.k8s.io/v1", "APIService", "apiservices", false),
    ];

    public static InstallKind Of(JsonObject obj)
    {
        var apiVersion = (string?)obj["apiVersion"];
        var kind = (string?)obj["kind"];
        return All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind) ?? throw new ArgumentException($"install makes no {apiVersion} {kind}", nameof(obj));
    }

    public static InstallKind Named(string kind) => All.First(k => k.Kind == kind);
}

/// <summary>
/// Plain JSON requests through the client's own HttpClient, credentials and TLS (as WatchStream does): install works on
/// manifests as JSON, and most of its kinds have no typed apply in the AOT client's rows. Reads and writes are counted
/// (a second install must write nothing). A failed request becomes the client's <see cref="HttpOperationException"/>,
/// which <see cref="Access.KubernetesCluster.Explain"/> words for the user.
/// </summary>
internal sealed class InstallApi(k8s.Kubernetes client)
{
    public const string FieldManager = "berth-install";

    private int _reads;
    private int _writes;

    public int Reads => _reads;

    public int Writes => _writes;

    /// <summary>The object, or null when it does not exist (or its API is not served).</summary>
    public async Task<JsonObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        var (code, body) = await SendAsync(HttpMethod.Get, path, null, null, notFoundIsAnswer: true, cancellationToken).ConfigureAwait(false);
        return code == HttpStatusCode.NotFound ? null : JsonNode.Parse(body) as JsonObject;
    }

    /// <summary>The items of a collection matching the label selector; none when the API is not served.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(string collectionPath, string labelSelector, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        var (code, body) = await SendAsync(HttpMethod.Get, $"{collectionPath}?labelSelector={Uri.EscapeDataString(labelSelector)}", null, null, notFoundIsAnswer: true, cancellationToken).ConfigureAwait(false);
        return code == HttpStatusCode.NotFound ? [] : [.. ((JsonNode.Parse(body) as JsonObject)?["items"] as JsonArray ?? []).OfType<JsonObject>()];
    }

    /// <summary>Server-side apply (field manager berth-install, forced: install owns what it declares).</summary>
    public async Task<JsonObject> ApplyAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        var (_, answer) = await SendAsync(HttpMethod.Patch, $"{path}?fieldManager={FieldManager}&force=true", body.ToJsonString(), "application/apply-patch+yaml", notFoundIsAnswer: false, cancellationToken).ConfigureAwait(false);
        return JsonNode.Parse(answer) as JsonObject ?? [];
    }

    /// <summary>Deletes with background propagation; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(string path, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        var (code, _) = await SendAsync(HttpMethod.Delete, $"{path}?propagationPolicy=Background", null, null, notFoundIsAnswer: true, cancellationToken).ConfigureAwait(false);
        return code != HttpStatusCode.NotFound;
    }

    private async Task<(HttpStatusCode Code, string Body)> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, bool notFoundIsAnswer, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri($"{client.BaseUri.AbsoluteUri.TrimEnd('/')}/{pathAndQuery}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || (notFoundIsAnswer && response.StatusCode == HttpStatusCode.NotFound))
        {
            return (response.StatusCode, text);
        }

        throw new HttpOperationException(string.Create(CultureInfo.InvariantCulture, $"{method} {pathAndQuery.Split('?')[0]}: {(int)response.StatusCode}"))
        {
            Response = new HttpResponseMessageWrapper(response, text),
        };
    }
}
