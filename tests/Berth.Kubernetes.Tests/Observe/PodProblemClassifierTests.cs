using Berth.Kubernetes.Observe;
using static Berth.Kubernetes.Tests.Observe.KubeObjects;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class PodProblemClassifierTests
{
    [Fact]
    public void ImagePullBackOff_IsAFailFastProblemWithTheKubeletMessage()
    {
        var problem = Assert.Single(PodProblemClassifier.Classify([Pod("web-1", "web", ImagePullBackOff)], [], Now));

        Assert.Equal(new PodProblem("web", "web-1", "ImagePullBackOff", "Back-off pulling image \"nginx:nope\"", FailsFast: true), problem);
        Assert.Equal("ImagePullBackOff: Back-off pulling image \"nginx:nope\"", problem.Text);
    }

    [Fact]
    public void ErrImagePullAndInvalidImageName_FailFast()
    {
        var errPull = Pod("web-1", "web", ImagePullBackOff.Replace("ImagePullBackOff", "ErrImagePull", StringComparison.Ordinal));
        var invalid = Pod("api-1", "api", ImagePullBackOff.Replace("ImagePullBackOff", "InvalidImageName", StringComparison.Ordinal));

        var problems = PodProblemClassifier.Classify([errPull, invalid], [], Now);

        Assert.Equal(["InvalidImageName", "ErrImagePull"], problems.Select(p => p.Reason));
        Assert.All(problems, p => Assert.True(p.FailsFast));
    }

    [Fact]
    public void CrashLoopBackOff_AddsTheLastExitCode()
    {
        var problem = Assert.Single(PodProblemClassifier.Classify([Pod("web-1", "web", CrashLoop)], [], Now));

        Assert.Equal("CrashLoopBackOff", problem.Reason);
        Assert.True(problem.FailsFast);
        Assert.Equal("back-off 1m20s restarting failed container=web pod=web-1_default(abc) (last exit code 1, Error)", problem.Message);
    }

    [Fact]
    public void OomKilledInLastState_IsReportedRatherThanTheCrashLoop()
    {
        var problem = Assert.Single(PodProblemClassifier.Classify([Pod("web-1", "web", OomKilled)], [], Now));

        Assert.Equal("OOMKilled", problem.Reason);
        Assert.Equal("container web exceeded its memory limit (restarts: 2)", problem.Message);
        Assert.True(problem.FailsFast);
    }

    [Fact]
    public void Unschedulable_CarriesTheSchedulersMessage()
    {
        var problem = Assert.Single(PodProblemClassifier.Classify([Pod("web-1", "web", Unschedulable)], [], Now));

        Assert.Equal("Unschedulable", problem.Reason);
        Assert.StartsWith("0/3 nodes are available: 3 Insufficient cpu.", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.FailsFast);
    }

    [Fact]
    public void Unschedulable_WhileAVolumeIsProvisionedOrANodeIsAdded_ShowsButDoesNotFailFast()
    {
        var volume = Unschedulable.Replace("0/3 nodes are available: 3 Insufficient cpu.", "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.", StringComparison.Ordinal);
        var scaleUp = new[] { Event("Pod", "web-2", "TriggeredScaleUp", "pod triggered scale-up: [{pool-1 1->2 (max: 5)}]", Now, type: "Normal") };

        var problems = PodProblemClassifier.Classify([Pod("db-0", "db", volume), Pod("web-2", "web", Unschedulable)], scaleUp, Now);

        Assert.Equal(["Unschedulable", "Unschedulable"], problems.Select(p => p.Reason));
        Assert.All(problems, p => Assert.False(p.FailsFast));
    }

    [Fact]
    public void CreateContainerConfigError_NamesTheMissingSecretButNoContent()
    {
        var problem = Assert.Single(PodProblemClassifier.Classify([Pod("web-1", "web", ConfigError)], [], Now));

        Assert.Equal("CreateContainerConfigError: secret \"db-password\" not found", problem.Text);
        Assert.True(problem.FailsFast);
    }

    [Fact]
    public void RunningUnready_WithRecentUnhealthyEvent_IsAProbeProblemThatDoesNotFailFast()
    {
        var pod = Pod("web-1", "web", RunningUnready);
        var events = new[]
        {
            Event("Pod", "web-1", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", Now.AddSeconds(-5)),
            Event("Pod", "web-1", "Unhealthy", "Readiness probe failed: old", Now.AddSeconds(-30)),
        };

        Assert.True(PodProblemClassifier.NeedsEvents(pod));
        var problem = Assert.Single(PodProblemClassifier.Classify([pod], events, Now));

        Assert.Equal("Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503", problem.Text);
        Assert.False(problem.FailsFast);
    }

    [Fact]
    public void RunningUnready_WithOnlyOldOrOtherPodsEvents_HasNoProblem()
    {
        var pod = Pod("web-1", "web", RunningUnready);
        var events = new[]
        {
            Event("Pod", "web-1", "Unhealthy", "Readiness probe failed: long ago", Now.AddMinutes(-20)),
            Event("Pod", "web-2", "Unhealthy", "Readiness probe failed: other pod", Now),
            Event("Pod", "web-1", "Unhealthy", "normal event", Now, type: "Normal"),
        };

        Assert.Empty(PodProblemClassifier.Classify([pod], events, Now));
    }

    [Fact]
    public void HealthyCreatingAndTerminatingPods_HaveNoProblem()
    {
        var terminating = Pod("web-3", "web", ImagePullBackOff, extraMetadata: ""","deletionTimestamp":"2026-11-28T02:59:00Z" """);

        Assert.Empty(PodProblemClassifier.Classify([Pod("web-1", "web", RunningReady), Pod("web-2", "web", Creating), terminating], [], Now));
        Assert.False(PodProblemClassifier.NeedsEvents(Pod("web-1", "web", RunningReady)));
    }

    [Fact]
    public void LongMultiLineMessages_BecomeOneCappedLine()
    {
        var status = ImagePullBackOff.Replace("Back-off pulling image \\\"nginx:nope\\\"", "first\\nsecond " + new string('x', 400), StringComparison.Ordinal);

        var problem = Assert.Single(PodProblemClassifier.Classify([Pod("web-1", "web", status)], [], Now));

        Assert.StartsWith("ImagePullBackOff: first second xxx", problem.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem.Text);
        Assert.EndsWith("...", problem.Text, StringComparison.Ordinal);
        Assert.True(problem.Text.Length <= "ImagePullBackOff: ".Length + 300);
    }
}
