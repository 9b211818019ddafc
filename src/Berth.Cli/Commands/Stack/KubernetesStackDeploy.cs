using Berth.Compose.Model;
using Berth.Kubernetes.Access;
using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Convert;
using Berth.Stacks.Progress;

namespace Berth.Cli.Commands.Stack;

/// <summary><c>berth stack deploy</c> on Kubernetes: convert into the cluster's namespace, refuse collisions, apply, prune, wait.</summary>
internal static class KubernetesStackDeploy
{
    public static async Task<int> RunAsync(KubernetesCluster cluster, ComposeProject project, string stackName, TextWriter stdout, TextWriter stderr, bool interactive, KubernetesConvertOptions conversion, KubernetesDeployOptions options, CancellationToken cancellationToken)
    {
        var plan = StackPlanLoader.ConvertForKubernetes(stderr, project, stackName, cluster.Namespace, conversion, "deploy");
        if (plan is null)
        {
            return ExitCodes.InvalidInput;
        }

        stdout.WriteLine($"Deploying stack {stackName} to namespace {cluster.Namespace} ({cluster.Source})");
        var deployer = new KubernetesDeployer(cluster.Client, cluster.Namespace, line => stdout.WriteLine(line), new ConvergenceDisplay(stdout, interactive));
        var result = await deployer.DeployAsync(stackName, plan, options, cancellationToken).ConfigureAwait(false);
        if (!result.Collisions.IsEmpty)
        {
            foreach (var collision in result.Collisions)
            {
                stderr.WriteLine(CollisionLine(collision, stackName));
            }

            stderr.WriteLine($"berth stack deploy: {result.Collisions.Length} object{(result.Collisions.Length == 1 ? string.Empty : "s")} in namespace {cluster.Namespace} already exist and are not part of stack {stackName}; nothing was changed");
            stderr.WriteLine("hint: Berth never overwrites objects it does not own: rename the services, remove those objects, or deploy into another namespace with --namespace");
            return ExitCodes.OrchestratorError;
        }

        if (!result.Converged)
        {
            stderr.WriteLine($"berth stack deploy: stack {stackName} did not converge (waited up to {options.Timeout.TotalSeconds:0}s):");
            foreach (var failure in result.Failures)
            {
                stderr.WriteLine("  " + failure);
            }

            stderr.WriteLine($"hint: the objects were applied; fix the file (e.g. the image name) and deploy again, inspect with 'berth stack ps {stackName} --orchestrator kubernetes', or remove the stack with 'berth stack rm {stackName}'");
            return ExitCodes.OrchestratorError;
        }

        stdout.WriteLine(Summary(stackName, result));
        return ExitCodes.Success;
    }

    public static string CollisionLine(ObjectChange collision, string stackName)
        => $"{collision.Kind} {collision.Name} exists and is not part of stack {stackName}{(collision.Reason is { Length: > 0 } reason ? $" ({reason})" : string.Empty)}";

    public static string Summary(string stackName, KubernetesDeployResult result)
        => result.Writes == 0
            ? $"Stack {stackName} is up to date ({result.Unchanged.Length} objects unchanged)"
            : $"Stack {stackName}: {result.Created.Length} created, {result.Updated.Length} updated, {result.Unchanged.Length} unchanged, {result.Removed.Length} removed";
}
