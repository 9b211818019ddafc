using Berth.Kubernetes.Access;
using k8s;

namespace Berth.ApiServer.Security;

/// <summary>
/// GETs from the cluster berth-apiserver delegates to (--kubeconfig, or the in-cluster service account), with its
/// credentials, as the requesting user: sent through the shared <see cref="ImpersonatingHandler"/>, which writes one
/// Impersonate-Group line per group and one Impersonate-Extra-&lt;%-escaped key&gt; line per value, as client-go's
/// impersonating round tripper does (CG/transport/round_trippers.go), because kube-apiserver reads each header line
/// as one value (AS/pkg/endpoints/filters/impersonation.go).
/// </summary>
internal sealed class ImpersonatingClient : IDisposable
{
    private readonly k8s.Kubernetes _credentials;
    private readonly HttpMessageInvoker _transport;
    private readonly Uri _base;

    private ImpersonatingClient(KubernetesClientConfiguration config)
    {
        _credentials = new k8s.Kubernetes(config);
        _transport = new HttpMessageInvoker(new ImpersonatingHandler(config, identity: null));
        _base = new Uri(config.Host.EndsWith('/') ? config.Host : config.Host + "/");
    }

    /// <summary>The client for the cluster of <paramref name="kubeconfig"/>, else in-cluster; null when standalone.</summary>
    public static ImpersonatingClient? Create(string? kubeconfig)
    {
        if (kubeconfig is not null)
        {
            return new ImpersonatingClient(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        }

        return KubernetesClientConfiguration.IsInCluster() ? new ImpersonatingClient(KubernetesClientConfiguration.InClusterConfig()) : null;
    }

    /// <summary>
    /// GET <paramref name="pathAndQuery"/> (relative to the cluster's URL) as <paramref name="user"/>. The answer's
    /// body streams until the server ends it or <paramref name="cancellationToken"/> is cancelled (which closes the
    /// connection): long-running reads (follow, watch) stay open as long as the caller reads.
    /// </summary>
    public async Task<ClusterResponse> GetAsync(UserInfo user, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, pathAndQuery));
        request.Headers.Accept.ParseAdd("application/json, */*");
        request.Headers.UserAgent.ParseAdd("berth-apiserver");
        request.Options.Set(ImpersonatingHandler.Identity, new Impersonation(user.Name, user.Uid, user.Groups, user.Extra));
        if (_credentials.Credentials is not null)
        {
            // The credentials' own logic (token, token file, exec plugin, basic auth) fills the header.
            await _credentials.Credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return new ClusterResponse(await _transport.SendAsync(request, cancellationToken).ConfigureAwait(false));
    }

    public void Dispose()
    {
        _transport.Dispose();
        _credentials.Dispose();
    }
}
