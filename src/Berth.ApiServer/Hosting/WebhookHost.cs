using System.Net;
using Berth.ApiServer.Http;
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
        var (certificate, certificateSource) = ServingCertificate.Load(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.SecurePort, listen => listen.UseHttps(certificate));
        });
        builder.Services.AddRouting();
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("berth-apiserver");
        logger.LogInformation("serving the stack webhooks only (CRD mode) on HTTPS {Address}:{Port} with the certificate {Certificate}", options.BindAddress, options.SecurePort, certificateSource);
        StackCollisions? collisions = null;
        if (cluster is not null && ImpersonatingClient.Create(options.Kubeconfig) is { } impersonating)
        {
            app.Lifetime.ApplicationStopped.Register(impersonating.Dispose);
            collisions = new StackCollisions(impersonating);
            logger.LogInformation("the validating webhook checks collisions in the cluster of {Source} as the requesting user", cluster.Source);
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
        WebhookEndpoints.Map(app, collisions);
        app.MapFallback(_ => throw ApiStatus.PathNotFound());
        return app;
    }

    // Nothing to check: no storage, and the cluster is only read per review.
    private static Task<bool> AlwaysHealthy(CancellationToken cancellationToken) => Task.FromResult(true);
}
