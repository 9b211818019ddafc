using k8s;

namespace Berth.Kubernetes.Access;

/// <summary>An open client, the namespace to work in and where both came from (named in every error message).</summary>
public sealed class KubernetesCluster : IDisposable
{
    private readonly string? _user;
    private readonly string? _context;

    public KubernetesCluster(IKubernetes client, string @namespace, string server, string source)
        : this(client, @namespace, server, source, null, null)
    {
    }

    private KubernetesCluster(IKubernetes client, string @namespace, string server, string source, string? user, string? context)
    {
        Client = client;
        Namespace = @namespace;
        Server = server;
        Source = source;
        _user = user;
        _context = context;
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
    {
        ArgumentNullException.ThrowIfNull(options);
        var resolved = KubeconfigResolver.Resolve(options, environment ?? Environment.GetEnvironmentVariable);
        IKubernetes client;
        try
        {
            client = options.Impersonate is { } identity
                ? new k8s.Kubernetes(resolved.Configuration, new ImpersonatingHandler(resolved.Configuration, identity))
                : new k8s.Kubernetes(resolved.Configuration);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new KubernetesAccessException($"cannot open a client for {resolved.Server} ({resolved.Source}): {KubeconfigResolver.OneLine(ex.Message)}", "check the kubeconfig's certificates and server address", ex);
        }

        return new KubernetesCluster(client, resolved.Namespace, resolved.Server, resolved.Source, resolved.User, resolved.Context);
    }

    /// <summary>
    /// Turns a failed request into a <see cref="KubernetesAccessException"/> naming the server and source: unreachable
    /// (connection refused, DNS, TLS), 401 (credentials expired or invalid), 403 (the verb and resource RBAC refused),
    /// other API errors with the server's message. Returns null when <paramref name="exception"/> is not a cluster error.
    /// </summary>
    public KubernetesAccessException? Explain(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return ApiErrorTranslator.Explain(exception, Server, Source, _user, _context);
    }

    public void Dispose() => Client.Dispose();
}
