using Berth.ApiServer.Http;
using Berth.ApiServer.Policy;
using Berth.ApiServer.Security;
using Berth.ApiServer.Webhooks;

namespace Berth.ApiServer.Hosting;

/// <summary>
/// berth-apiserver --webhooks-only: the CRD mode's server. HTTPS with the same serving certificate as the full server,
/// the admission and conversion webhooks (the collision check reads the cluster as the requesting user when there is
/// one), and the health endpoints; no etcd, no Stack API, no authentication (nothing else is served).
/// </summary>
internal static class WebhookHost
{
    public static WebApplication Build(ServerOptions options, ClusterClient? cluster, Action<ILoggingBuilder>? logging = null)
    {
        var (builder, certificateSource) = ApiServerHost.CreateBuilder(options, logging, clientCertificates: false);
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("berth-apiserver");
        logger.LogInformation("serving the stack webhooks only (CRD mode) on HTTPS {Address}:{Port} with the certificate {Certificate}", options.BindAddress, options.SecurePort, certificateSource);
        StackCollisions? collisions = null;
        if (RequestingUserReads.Open(app, options, cluster) is { } impersonating)
        {
            collisions = new StackCollisions(impersonating);
            logger.LogInformation("the validating webhook checks collisions in the cluster of {Source} as the requesting user", cluster?.Source);
        }
        else
        {
            logger.LogWarning("no cluster (no --kubeconfig and not in a pod): the validating webhook has no collision check");
        }

        RequestDelegate health = context => Health.WriteAsync(context, AlwaysHealthy, checkEtcd: false, logger, context.RequestAborted);
        foreach (var path in (string[])["/healthz", "/livez", "/readyz"])
        {
            app.MapGet(path, health);
        }

        app.Use(async (context, next) =>
        {
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (ApiException e) when (!context.Response.HasStarted)
            {
                await HttpBodies.WriteStatusAsync(context, e, CancellationToken.None).ConfigureAwait(false);
            }
        });
        WebhookEndpoints.Map(app, collisions, StackPolicyAdmission.Open(cluster, options, TimeProvider.System, logger));
        app.MapFallback(_ => throw ApiStatus.PathNotFound());
        return app;
    }

    // Nothing to check: no storage, and the cluster is only read per review.
    private static Task<bool> AlwaysHealthy(CancellationToken cancellationToken) => Task.FromResult(true);
}
