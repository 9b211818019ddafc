using System.Net;
using System.Text.Json.Nodes;
using Berth.Controller.Hosting;
using Berth.Policy.Cluster;

namespace Berth.Controller.Reconcile;

/// <summary>
/// The cluster deploy policy as berth-controller reads it: the ConfigMap berth-policy in the install namespace,
/// fetched with the controller's own credentials (it may get that one ConfigMap, resourceNames in the install's
/// RBAC) and kept for a short TTL (<see cref="ClusterPolicySource"/>).
/// </summary>
internal static class ClusterPolicies
{
    public static ClusterPolicySource Open(ControllerOptions options, k8s.Kubernetes controllerClient)
    {
        var path = $"api/v1/namespaces/{Uri.EscapeDataString(options.PolicyNamespace)}/configmaps/{ClusterPolicyConfigMap.Name}";
        return new ClusterPolicySource(options.PolicyNamespace, ct => FetchAsync(controllerClient, path, ct), options.PolicyCacheTimeToLive, TimeProvider.System);
    }

    private static async Task<IReadOnlyDictionary<string, string>?> FetchAsync(k8s.Kubernetes client, string path, CancellationToken ct)
    {
        var answer = await ClusterJson.SendAsync(client, HttpMethod.Get, path, null, null, ct).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (!answer.IsSuccess || answer.Body is not { } configMap)
        {
            throw new HttpRequestException($"GET {path}: {answer.Message}", null, answer.Status);
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in configMap["data"] as JsonObject ?? [])
        {
            data[key] = value?.ToString() ?? string.Empty;
        }

        return data;
    }
}
