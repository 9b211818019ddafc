using Berth.Kubernetes.Convert;
using Berth.Stacks.Progress;
using k8s;

namespace Berth.Kubernetes.Apply;

/// <summary>
/// Applies a plan with server-side apply (field manager <c>berth</c>) in dependency order, after checking every
/// name for collisions (any collision: nothing is changed); prunes the stack's objects the plan no longer names;
/// then waits for rollouts unless detached.
/// </summary>
public sealed class KubernetesDeployer(IKubernetes client, string @namespace, Action<string> log, IConvergenceReporter reporter)
{
    public const string FieldManager = "berth";

    public Task<KubernetesDeployResult> DeployAsync(string stack, KubernetesPlan plan, KubernetesDeployOptions options, CancellationToken cancellationToken)
        => throw new NotImplementedException(string.Join(",", client, @namespace, log, reporter, stack, plan, options, cancellationToken));
}
