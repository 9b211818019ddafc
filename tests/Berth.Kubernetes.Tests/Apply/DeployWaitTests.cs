using Berth.Kubernetes.ApiDouble;
using Berth.Kubernetes.Apply;
using Berth.Stacks.Events;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>
/// Deploys that wait for rollouts, against <see cref="KubernetesApiDouble"/> (the in-process test double of the
/// Kubernetes API, not a cluster) with its simulated controllers creating pods and setting workload status.
/// </summary>
public sealed class DeployWaitTests
{
    private static readonly KubernetesDeployOptions Waiting = new()
    {
        Timeout = TimeSpan.FromSeconds(60),
        FailFastAfter = TimeSpan.FromMilliseconds(200),
        PollInterval = TimeSpan.FromMilliseconds(100),
    };

    [Fact]
    public async Task Deploy_NotDetached_WaitsUntilEveryWorkloadHasRolledOut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await KubernetesApiDouble.StartAsync(ct);
        api.Controllers.Enabled = true;
        using var client = api.CreateClient();
        var plan = StackFiles.Convert(StackFiles.Shop());

        var result = await new KubernetesDeployer(client, StackFiles.Namespace, StackEventSink.None)
            .DeployAsync("shop", plan, Waiting, ct);

        Assert.True(result.Converged, string.Join('\n', result.Failures));
        Assert.Empty(result.Failures);
        Assert.Equal(plan.Objects.Length, result.Created.Length);
    }

    [Fact]
    public async Task Deploy_NotDetached_ReportsAPodThatCannotPullItsImage()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await KubernetesApiDouble.StartAsync(ct);
        api.Controllers.Enabled = true;
        api.Controllers.FailPods("web", PodProblem.ImagePullBackOff);
        using var client = api.CreateClient();

        var result = await new KubernetesDeployer(client, StackFiles.Namespace, StackEventSink.None)
            .DeployAsync("shop", StackFiles.Convert(StackFiles.Shop()), Waiting, ct);

        Assert.False(result.Converged);
        Assert.Contains(result.Failures, f => f.StartsWith("web", StringComparison.Ordinal) && f.Contains("ImagePullBackOff", StringComparison.Ordinal));
    }
}
