using k8s;

namespace Berth.Kubernetes.Access;

/// <summary>An open client, the namespace to work in and where both came from (named in every error message).</summary>
public sealed class KubernetesCluster : IDisposable
{
    public KubernetesCluster(IKubernetes client, string @namespace, string server, string source)
    {
        Client = client;
        Namespace = @namespace;
        Server = server;
        Source = source;
    }

    public IKubernetes Client { get; }

    public string Namespace { get; }

    /// <summary>The API server URL.</summary>
    public string Server { get; }

    /// <summary>Where the settings came from, e.g. <c>context "kind-dev" in /root/.kube/config</c> or <c>in-cluster service account</c>.</summary>
    public string Source { get; }

    /// <summary>
    /// Resolves the settings the kubectl way (--kubeconfig &gt; KUBECONFIG, several files merged &gt; ~/.kube/config &gt;
    /// in-cluster) and opens a client. Makes no request. <c>environment</c> reads environment variables (tests pass
    /// their own); default the process environment. Throws <see cref="KubernetesAccessException"/> for
    /// missing/invalid kubeconfig or an unknown context.
    /// </summary>
    public static KubernetesCluster Connect(KubernetesAccessOptions options, Func<string, string?>? environment = null)
        => throw new NotImplementedException();

    /// <summary>
    /// Turns a failed request into a <see cref="KubernetesAccessException"/> naming the server and source: unreachable
    /// (connection refused, DNS, TLS), 401 (credentials expired or invalid), 403 (the verb and resource RBAC refused),
    /// other API errors with the server's message. Returns null when <paramref name="exception"/> is not a cluster error.
    /// </summary>
    public KubernetesAccessException? Explain(Exception exception) => throw new NotImplementedException();

    public void Dispose() => Client.Dispose();
}
