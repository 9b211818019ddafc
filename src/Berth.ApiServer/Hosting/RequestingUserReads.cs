using Berth.ApiServer.Http;
using Berth.ApiServer.Policy;
using Berth.ApiServer.Security;
using Berth.ApiServer.Webhooks;
using Berth.StackApi.Storage;

namespace Berth.ApiServer.Hosting;

/// <summary>
/// What berth-apiserver reads from the cluster as the requesting user (by impersonation): the logs of stacks/log and
/// the collision check of creates and updates and of the CRD mode's validating webhook. Only with a cluster; standalone keeps stacks/log at 503 and has no
/// collision check (both said at startup).
/// </summary>
internal static class RequestingUserReads
{
    /// <summary>Before Build: the collision check finds the request's user through IHttpContextAccessor.</summary>
    public static void AddServices(IServiceCollection services, ServerServices server)
    {
        if (server.Cluster is not null)
        {
            services.AddHttpContextAccessor();
        }
    }

    /// <summary>The client that reads as the requesting user, closed with the app; null without a cluster.</summary>
    public static ImpersonatingClient? Open(WebApplication app, ServerOptions options, ClusterClient? cluster)
    {
        if (cluster is null || ImpersonatingClient.Create(options.Kubeconfig) is not { } impersonating)
        {
            return null;
        }

        app.Lifetime.ApplicationStopped.Register(impersonating.Dispose);
        return impersonating;
    }

    /// <summary>Maps stacks/log and returns the store StacksApi writes through (collision-checked with a cluster).</summary>
    public static IStackStore Map(WebApplication app, ServerOptions options, ServerServices server, IStackStore store, StackPolicyAdmission? policy, ILogger logger)
    {
        if (Open(app, options, server.Cluster) is not { } cluster)
        {
            WebhookEndpoints.Map(app, null, policy);
            return store;
        }

        logger.LogInformation("stacks/log and the collision check read from the cluster as the requesting user: the delegate credentials need the verb impersonate on users, groups, uids and userextras");
        new StackLogs(store, cluster, logger).Map(app);
        var requests = app.Services.GetRequiredService<IHttpContextAccessor>();
        var collisions = new StackCollisions(cluster);
        WebhookEndpoints.Map(app, collisions, policy);
        return new CollisionCheckedStackStore(store, collisions, () => requests.HttpContext?.Features.Get<UserInfo>());
    }
}
