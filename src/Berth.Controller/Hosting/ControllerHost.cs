using System.Runtime.InteropServices;
using Berth.Controller.Leadership;
using Berth.Kubernetes.Access;
using Microsoft.Extensions.Logging.Console;
using Prometheus;

namespace Berth.Controller.Hosting;

/// <summary>
/// berth-controller's process: the health and metrics endpoints, the Lease election, the leading work, and a clean
/// stop on SIGTERM/Ctrl-C (work cancelled and awaited, Lease released, exit 0). Losing the Lease exits 1, as
/// kube-controller-manager does (its OnStoppedLeading: "leaderelection lost", klog.FlushAndExit(1)), so the
/// replica restarts as a follower instead of running on with state from its time as leader.
/// </summary>
internal static class ControllerHost
{
    /// <summary>Exit code when leadership was lost or the leading work failed.</summary>
    public const int FailureExitCode = 1;

    /// <summary>
    /// How far past the lease duration a leader's last renewal may lie before /healthz fails: kube-controller-manager's
    /// leaderelection.NewLeaderHealthzAdaptor(time.Second * 20) (cmd/kube-controller-manager/app/controllermanager.go).
    /// </summary>
    public static readonly TimeSpan HealthzLeaseTolerance = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long the leading work may take to end once cancelled: with the release (at most the renew deadline, 10 s by
    /// default) it fits in a pod's default terminationGracePeriodSeconds (30 s) before the kubelet's SIGKILL.
    /// </summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(ControllerOptions options, Func<ControllerOptions, ILoggerFactory, LeadingWork> createWork, CancellationToken cancellationToken)
    {
        using var logs = LoggerFactory.Create(logging => logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            console.ColorBehavior = LoggerColorBehavior.Disabled;
        }));
        var logger = logs.CreateLogger("berth-controller");
        KubernetesCluster cluster;
        try
        {
            cluster = KubernetesCluster.Connect(new KubernetesAccessOptions { Kubeconfig = options.Kubeconfig });
        }
        catch (KubernetesAccessException e)
        {
            await Console.Error.WriteLineAsync($"berth-controller: {e.Message}{(e.Hint is null ? "" : $" (hint: {e.Hint})")}").ConfigureAwait(false);
            return CommandLine.UsageExitCode;
        }

        using (cluster)
        {
            using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, shutdown, logger));
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, shutdown, logger));
            var work = createWork(options, logs);
            var elector = options.LeaderElect
                ? new LeaderElector(
                    new LeaseLock(cluster.Client, options.LeaseNamespace, options.LeaseName, LeaderIdentity.New()),
                    new LeaderElectionSettings(options.LeaseDuration, options.RenewDeadline, options.RetryPeriod, StopTimeout),
                    logger,
                    explain: e => cluster.Explain(e)?.Message)
                : null;
            var app = BuildHealthServer(options, elector, work.Synced);
            await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
            logger.LogInformation("serving /healthz, /readyz and /metrics on http://{Address}; cluster {Server} ({Source}); watching {Namespace}",
                options.HealthBindAddress, cluster.Server, cluster.Source, options.Namespace is null ? "all namespaces" : $"namespace {options.Namespace}");
            try
            {
                return elector is null
                    ? await RunWithoutElectionAsync(work, logger, shutdown.Token).ConfigureAwait(false)
                    : await RunElectedAsync(elector, work, logger, shutdown.Token).ConfigureAwait(false);
            }
            finally
            {
                using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await app.StopAsync(stopping.Token).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The health server alone (plain HTTP on <see cref="ControllerOptions.HealthBindAddress"/>), not yet started.</summary>
    public static WebApplication BuildHealthServer(ControllerOptions options, LeaderElector? elector, Func<bool> synced)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The host's own console lifetime would stop the web server on SIGTERM before the Lease is released.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        _ = CommandLine.TryParseEndpoint(options.HealthBindAddress, out var endpoint);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endpoint);
        });
        var app = builder.Build();
        app.MapGet("/healthz", () => Healthz(elector));
        app.MapGet("/readyz", () => Readyz(options, elector, synced));
        app.MapMetrics("/metrics");
        return app;
    }

    private static IResult Healthz(LeaderElector? elector) =>
        elector is not null && !elector.Check(HealthzLeaseTolerance, out var problem)
            ? Results.Text($"[-]leaderElection failed: {problem}\nhealthz check failed\n", statusCode: StatusCodes.Status500InternalServerError)
            : Results.Text("ok");

    /// <summary>
    /// Ready: a leader whose controller has synced, or a follower standing by that has heard from the API server
    /// within the lease duration (it could take over). A follower is ready so that a rolling update of the
    /// Deployment is not held up by replicas that by design do no work; one that cannot reach the API is not.
    /// </summary>
    private static IResult Readyz(ControllerOptions options, LeaderElector? elector, Func<bool> synced)
    {
        if (elector is null || elector.IsLeader)
        {
            return synced() ? Results.Text("ok") : Results.Text("the stack controller has not synced yet\n", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var contact = elector.LastContact;
        if (contact is not null && DateTimeOffset.UtcNow - contact.Value <= options.LeaseDuration)
        {
            return Results.Text(elector.Leader.Length > 0 ? $"ok: standing by, {elector.Leader} leads\n" : "ok: standing by\n");
        }

        return Results.Text("standing by without an answer from the API server within the lease duration\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<int> RunElectedAsync(LeaderElector elector, LeadingWork work, ILogger logger, CancellationToken cancellationToken)
    {
        var outcome = await elector.RunAsync(work.RunAsync, cancellationToken).ConfigureAwait(false);
        switch (outcome)
        {
            case LeadershipOutcome.LostLease:
                logger.LogError("leaderelection lost: exiting");
                return FailureExitCode;
            case LeadershipOutcome.WorkEnded:
                logger.LogError("the stack controller stopped while leading: exiting");
                return FailureExitCode;
            default:
                logger.LogInformation("stopped");
                return 0;
        }
    }

    private static async Task<int> RunWithoutElectionAsync(LeadingWork work, ILogger logger, CancellationToken cancellationToken)
    {
        logger.LogWarning("--leader-elect=false: running without a Lease; run one replica only");
        try
        {
            await work.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped as asked.
        }
        catch (Exception e)
        {
            logger.LogError(e, "the stack controller failed");
            return FailureExitCode;
        }

        if (!cancellationToken.IsCancellationRequested)
        {
            logger.LogError("the stack controller stopped by itself: exiting");
            return FailureExitCode;
        }

        logger.LogInformation("stopped");
        return 0;
    }

    private static void Stop(PosixSignalContext signal, CancellationTokenSource shutdown, ILogger logger)
    {
        // Handled here: the process ends when RunAsync returns, after the Lease is released.
        signal.Cancel = true;
        logger.LogInformation("stopping: received {Signal}", signal.Signal);
        try
        {
            shutdown.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    /// <summary>A host lifetime that leaves signals to <see cref="ControllerHost"/>.</summary>
    private sealed class SignalFreeLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
