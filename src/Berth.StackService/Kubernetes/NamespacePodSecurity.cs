using System.Net;
using Berth.Kubernetes.Access;
using Berth.Policy;
using Berth.Stacks.Events;
using k8s;
using k8s.Autorest;

namespace Berth.StackService.Kubernetes;

/// <summary>
/// Reads the target namespace's Pod Security admission labels (one GET of the namespace, before anything is written)
/// for <see cref="StackPolicyGate"/>. Reading them is a courtesy, never a condition: a namespace that does not exist
/// yet (404; the deploy creates it, unlabelled) has none, and a refusal (403: many accounts may deploy into a
/// namespace without reading it) or another API error is a short warning, after which the deploy goes on without them;
/// an API server that cannot be reached is left to the deploy's next request to report.
/// </summary>
internal static class NamespacePodSecurity
{
    /// <summary>The namespace's labels as a policy; null when it has none of Pod Security's, or they could not be read.</summary>
    public static async Task<PodSecurityPolicy?> ReadAsync(KubernetesCluster cluster, IStackEventSink events, CancellationToken cancellationToken)
    {
        IDictionary<string, string>? labels;
        try
        {
            var read = await cluster.Client.CoreV1.ReadNamespaceAsync(cluster.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            labels = read.Metadata?.Labels;
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException ex)
        {
            var why = ex.Response?.StatusCode == HttpStatusCode.Forbidden ? "forbidden to read the namespace" : $"the API server answered {(int?)ex.Response?.StatusCode}";
            events.Publish(new StackWarning($"namespace {cluster.Namespace}: its Pod Security labels were not read ({why}); the cluster still applies them when pods are created"));
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The API server cannot be reached: the deploy's own first request reports that, with its explanation.
            return null;
        }

        return labels is null ? null : FromLabels(cluster.Namespace, labels.AsReadOnly());
    }

    /// <summary>Labels already read as a policy; null when none of them is Pod Security's.</summary>
    public static PodSecurityPolicy? FromLabels(string namespaceName, IReadOnlyDictionary<string, string> labels)
        => labels.Keys.Any(k => k.StartsWith(PodSecurityLabels.Prefix, StringComparison.Ordinal))
            ? PodSecurityLabels.ToPolicy(namespaceName, new Dictionary<string, string>(labels, StringComparer.Ordinal))
            : null;
}
