using System.Net;
using Berth.ApiServer.Hosting;

namespace Berth.ApiServer.Security;

/// <summary>
/// The authentication trust of a delegating server: the flags, completed from the cluster's
/// kube-system/extension-apiserver-authentication ConfigMap when a cluster is configured and a CA flag is missing
/// (AS/pkg/server/options/authentication.go DelegatingAuthenticationOptions), and re-read periodically because the
/// cluster rotates its CAs (the dynamic CA and request-header controllers of AS/pkg/server/dynamiccertificates and
/// AS/pkg/authentication/request/headerrequest). A failed re-read keeps the last good trust.
/// </summary>
internal sealed class ExtensionAuthentication : IDisposable
{
    public const string ConfigMapPath = "api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication";

    private readonly ServerOptions _options;
    private readonly ClusterClient? _cluster;
    private readonly ILogger _logger;
    private readonly AuthenticationTrust _flags;
    private readonly CancellationTokenSource _stopping = new();
    private volatile AuthenticationTrust _current;
    private string? _lastConfigMapVersion;

    public ExtensionAuthentication(ServerOptions options, ClusterClient? cluster, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _flags = AuthenticationTrust.FromFlags(options);
        _current = _flags;
        var missing = options.ClientCaFile is null || options.RequestHeaderClientCaFile is null;
        _cluster = missing ? cluster : null;
        Ready = _cluster is null ? Task.CompletedTask : RunAsync(_stopping.Token);
    }

    /// <summary>Completes once the ConfigMap was read the first time (or at once when it is not needed).</summary>
    public Task Ready { get; }

    public AuthenticationTrust Current => _current;

    private async Task RunAsync(CancellationToken stopping)
    {
        await ReloadAsync(stopping).ConfigureAwait(false);
        _ = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(_options.AuthenticationConfigReloadInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
                {
                    await ReloadAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Shutting down.
            }
        }, CancellationToken.None);
    }

    private async Task ReloadAsync(CancellationToken stopping)
    {
        try
        {
            var configMap = await _cluster!.GetAsync(ConfigMapPath, stopping).ConfigureAwait(false);
            var version = configMap?["metadata"]?["resourceVersion"]?.ToString();
            if (configMap is not null && version == _lastConfigMapVersion)
            {
                return;
            }

            _current = _flags.WithConfigMap(_options, configMap?["data"] as System.Text.Json.Nodes.JsonObject);
            _lastConfigMapVersion = version;
            // Names of keys only: the CAs are public, but the log says what is trusted, not the certificates.
            _logger.LogInformation(
                "authentication from configmap kube-system/extension-apiserver-authentication{Missing}: client certificates {Client}, front-proxy request headers {RequestHeader}",
                configMap is null ? " (not found)" : string.Empty,
                _current.ClientCa is null ? "off" : _options.ClientCaFile is null ? "from the configmap" : "from --client-ca-file",
                _current.RequestHeaderCa is null ? "off" : _options.RequestHeaderClientCaFile is null ? $"from the configmap (allowed names: {string.Join(",", _current.RequestHeaderAllowedNames)})" : "from --requestheader-client-ca-file");
        }
        catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.Forbidden)
        {
            _logger.LogWarning("unable to get configmap/extension-apiserver-authentication in kube-system: usually fixed by 'kubectl create rolebinding -n kube-system ROLEBINDING_NAME --role=extension-apiserver-authentication-reader --serviceaccount=YOUR_NS:YOUR_SA'");
        }
        catch (Exception e) when (!stopping.IsCancellationRequested)
        {
            // Whatever went wrong, the reload loop lives on; the message names no secret (the CAs are public).
            _logger.LogWarning("unable to read configmap kube-system/extension-apiserver-authentication, keeping the trust there was: {Type}: {Error}", e.GetType().Name, e.Message);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
