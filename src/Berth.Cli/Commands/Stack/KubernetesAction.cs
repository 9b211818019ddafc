using Berth.Kubernetes.Access;

namespace Berth.Cli.Commands.Stack;

/// <summary>
/// Connects to the cluster, runs, and turns cluster failures (unreachable, credentials, RBAC, API errors) into one
/// line plus a hint and exit 3, as <see cref="EngineAction"/> does for Swarm. Anything else is a bug and goes to the
/// internal-error handler (stack trace only with --verbose).
/// </summary>
internal static class KubernetesAction
{
    public static async Task<int> RunAsync(TextWriter stderr, string commandName, StackTarget target, Func<string, string?> environment, Func<KubernetesCluster, Task<int>> action)
    {
        KubernetesCluster cluster;
        try
        {
            cluster = KubernetesCluster.Connect(target.Access, environment);
        }
        catch (KubernetesAccessException ex)
        {
            return Report(stderr, commandName, ex);
        }

        using (cluster)
        {
            try
            {
                return await action(cluster).ConfigureAwait(false);
            }
            catch (KubernetesAccessException ex)
            {
                return Report(stderr, commandName, ex);
            }
            // An exception thrown by Explain inside the filter counts as "not explained": the original exception propagates.
            catch (Exception ex) when (ex is not OperationCanceledException && cluster.Explain(ex) is { } explained)
            {
                return Report(stderr, commandName, explained);
            }
        }
    }

    public static int Report(TextWriter stderr, string commandName, KubernetesAccessException exception)
    {
        stderr.WriteLine($"berth stack {commandName}: {exception.Message}");
        if (exception.Hint is { } hint)
        {
            stderr.WriteLine($"hint: {hint}");
        }

        return ExitCodes.OrchestratorError;
    }
}
