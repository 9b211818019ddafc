using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Berth.ApiServer.Http;
using Berth.ApiServer.Policy;
using Berth.ApiServer.Security;
using Berth.StackApi;
using Berth.StackApi.Storage;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Prometheus;

namespace Berth.ApiServer.Hosting;

/// <summary>What the HTTP surface runs on: the etcd health check, the cluster (if any), the users and the authorizer.</summary>
internal sealed record ServerServices(IStackStore Store, ClusterClient? Cluster, TokenFile Tokens, IAuthorizer? Authorizer = null, Func<CancellationToken, Task<bool>>? EtcdHealthy = null)
{
    public Func<CancellationToken, Task<bool>> Healthy => EtcdHealthy ?? Store.CheckHealthAsync;
}

/// <summary>berth-apiserver's host: Kestrel, HTTPS only, the request pipeline and the endpoints.</summary>
internal static class ApiServerHost
{
    public static async Task<int> RunAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        TokenFile tokens;
        try
        {
            tokens = options.TokenAuthFile is { } file ? TokenFile.Load(file) : TokenFile.Empty;
        }
        catch (Exception e) when (e is FormatException or IOException)
        {
            await Console.Error.WriteLineAsync($"berth-apiserver: --token-auth-file: {e.Message}").ConfigureAwait(false);
            return CommandLine.UsageExitCode;
        }

        using var cluster = ClusterClient.Create(options.Kubeconfig);
        if (options.AuthorizationMode == AuthorizationMode.Delegated && cluster is null)
        {
            await Console.Error.WriteLineAsync("berth-apiserver: --authorization-mode Delegated needs a cluster: give --kubeconfig or run in a pod").ConfigureAwait(false);
            return CommandLine.UsageExitCode;
        }

        if (options.WebhooksOnly)
        {
            var webhooks = WebhookHost.Build(options, cluster, logging => logging.AddJsonConsole());
            await webhooks.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        var store = new EtcdStackStore(new EtcdStoreOptions(options.EtcdServers, options.EtcdCaFile, options.EtcdCertFile, options.EtcdKeyFile, options.EtcdPrefix) { CompactionInterval = options.CompactionInterval });
        await using (store.ConfigureAwait(false))
        {
            var app = Build(options, new ServerServices(store, cluster, tokens), logging => logging.AddJsonConsole());
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The configured application, not yet started (tests start it in-process).</summary>
    public static WebApplication Build(ServerOptions options, ServerServices services, Action<ILoggingBuilder>? logging = null)
    {
        var (builder, certificateSource) = CreateBuilder(options, logging, clientCertificates: true);
        RequestingUserReads.AddServices(builder.Services, services);
        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("berth-apiserver");
        var time = TimeProvider.System;
        var authorizer = services.Authorizer ?? CreateAuthorizer(options, services.Cluster, time, logger);
        var authenticator = new Authenticator(options, services.Tokens, services.Cluster, time, logger);
        app.Lifetime.ApplicationStopped.Register(authenticator.Dispose);
        SayStartup(options, services, authorizer, certificateSource, logger);

        app.Use((context, next) => Pipeline(context, next, authenticator, authorizer, services, logger));
        if (services.Cluster is not null)
        {
            app.Use(new NamespaceLifecycle(services.Cluster, time).InvokeAsync);
        }

        Endpoints.Map(app, services);
        var policy = StackPolicyAdmission.Open(services.Cluster, options, time, logger);
        var stacks = RequestingUserReads.Map(app, options, services, new MeasuredStackStore(services.Store), policy, logger);
        new StacksApi(stacks, services.Cluster is null, time, logger, policy).Map(app);
        return app;
    }

    /// <summary>
    /// Kestrel on --bind-address:--secure-port, HTTPS only with the serving certificate, no Server header, routing, and
    /// only the given log providers; with <paramref name="clientCertificates"/>, client certificates are asked for
    /// (optional, verified by the authenticator against the configured CAs).
    /// </summary>
    internal static (WebApplicationBuilder Builder, string CertificateSource) CreateBuilder(ServerOptions options, Action<ILoggingBuilder>? logging, bool clientCertificates)
    {
        var (certificate, certificateSource) = ServingCertificate.Load(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(options.BindAddress), options.SecurePort, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                if (clientCertificates)
                {
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                }
            }));
        });
        builder.Services.AddRouting();
        return (builder, certificateSource);
    }

    private static IAuthorizer CreateAuthorizer(ServerOptions options, ClusterClient? cluster, TimeProvider time, ILogger logger)
    {
        var mode = options.AuthorizationMode ?? (cluster is null ? AuthorizationMode.AlwaysAllow : AuthorizationMode.Delegated);
        return mode == AuthorizationMode.Delegated && cluster is not null ? new SubjectAccessReviewAuthorizer(cluster, time, logger) : new AlwaysAllowAuthorizer();
    }

    // Each fact said once, at startup, so an operator sees what this server will and will not do.
    private static void SayStartup(ServerOptions options, ServerServices services, IAuthorizer authorizer, string certificateSource, ILogger logger)
    {
        logger.LogInformation("serving HTTPS on {Address}:{Port} with the certificate {Certificate}", options.BindAddress, options.SecurePort, certificateSource);
        logger.LogInformation("etcd {Servers}, prefix {Prefix}", string.Join(",", options.EtcdServers), options.EtcdPrefix);
        if (services.Cluster is null)
        {
            logger.LogWarning("standalone (no --kubeconfig and not in a cluster): users from --token-auth-file only ({Count}), authorization AlwaysAllow, no collision check against cluster objects, stacks/log answers 503", services.Tokens.Count);
            logger.LogWarning("standalone: no NamespaceLifecycle admission, stacks are created in any namespace name without checking that it exists");
        }
        else
        {
            logger.LogInformation("delegating to the cluster of {Source}: TokenReview for unknown bearer tokens", services.Cluster.Source);
        }

        if (authorizer is AlwaysAllowAuthorizer)
        {
            logger.LogWarning("!!! --authorization-mode AlwaysAllow: EVERY AUTHENTICATED USER MAY READ, CHANGE AND DELETE EVERY STACK IN EVERY NAMESPACE !!!");
        }
    }

    private static readonly string[] UnauthenticatedPaths = ["/healthz", "/livez", "/readyz"];

    private static async Task Pipeline(HttpContext context, RequestDelegate next, Authenticator authenticator, IAuthorizer authorizer, ServerServices services, ILogger logger)
    {
        var clock = Stopwatch.StartNew();
        var info = RequestInfo.From(context.Request);
        var ct = context.RequestAborted;
        var user = "-";
        try
        {
            var path = context.Request.Path.Value ?? "/";
            var health = UnauthenticatedPaths.FirstOrDefault(p => path == p || path.StartsWith(p + "/", StringComparison.Ordinal));
            if (health is not null)
            {
                await Health.WriteAsync(context, services.Healthy, health != "/livez", logger, ct).ConfigureAwait(false);
                return;
            }

            if (path.StartsWith(Webhooks.WebhookEndpoints.Prefix, StringComparison.Ordinal))
            {
                // kube-apiserver calls webhooks without credentials; they answer a review and write nothing.
                await next(context).ConfigureAwait(false);
                return;
            }

            var authenticated = await authenticator.AuthenticateAsync(context, ct).ConfigureAwait(false) ?? throw ApiStatus.Unauthorized();
            user = authenticated.Name;
            var decision = await authorizer.AuthorizeAsync(authenticated, info, ct).ConfigureAwait(false);
            if (!decision.Allowed)
            {
                throw ApiStatus.Forbidden(info, authenticated.Name, decision.Reason);
            }

            context.Features.Set(authenticated);
            context.Features.Set(info);
            await next(context).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            if (!context.Response.HasStarted)
            {
                await HttpBodies.WriteStatusAsync(context, e, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e)
        {
            // The exception text may hold stack contents: logged by type only, answered generically.
            logger.LogError("unexpected {Exception} at {StackTrace}", e.GetType().FullName, e.StackTrace);
            if (!context.Response.HasStarted)
            {
                await HttpBodies.WriteStatusAsync(context, ApiStatus.Internal("an unexpected error; see the server log"), CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            var code = context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ServerMetrics.Requests.WithLabels(info.Verb.ToUpperInvariant(), info.ApiGroup, info.ApiVersion, info.Resource, info.Subresource, code).Inc();
            ServerMetrics.Latency.WithLabels(info.Verb.ToUpperInvariant(), info.Resource, info.Subresource).Observe(clock.Elapsed.TotalSeconds);
            // Path and user only: never query values, headers or bodies.
            logger.LogInformation("{Method} {Path} user={User} code={Code} {Milliseconds} ms", context.Request.Method, context.Request.Path.Value, user, code, clock.ElapsedMilliseconds);
        }
    }

    internal static JsonObject VersionInfo() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-berth-" + (typeof(ApiServerHost).Assembly.GetName().Version?.ToString() ?? "0"),
        ["gitCommit"] = string.Empty,
        ["gitTreeState"] = "clean",
        ["buildDate"] = "1970-01-01T00:00:00Z",
        ["goVersion"] = "dotnet" + Environment.Version,
        ["compiler"] = "dotnet",
        ["platform"] = "linux/" + System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
    };

    internal static string Group => StackApiGroup.Group;

    internal static void MapMetrics(WebApplication app) => app.MapMetrics("/metrics");
}
