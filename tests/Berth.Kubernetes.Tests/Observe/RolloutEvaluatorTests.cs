using Berth.Kubernetes.Observe;
using k8s.Models;
using static Berth.Kubernetes.Tests.Observe.KubeObjects;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class RolloutEvaluatorTests
{
    private static V1Deployment Deployment(int replicas, string status, long generation = 2)
        => Parse<V1Deployment>($$"""{"metadata":{"name":"web","generation":{{generation}}},"spec":{"replicas":{{replicas}}},"status":{{status}}}""");

    [Fact]
    public void Deployment_AllUpdatedAndAvailable_IsReady()
    {
        var state = RolloutEvaluator.Evaluate(Deployment(3, """{"observedGeneration":2,"replicas":3,"updatedReplicas":3,"readyReplicas":3,"availableReplicas":3}"""));

        Assert.Equal(new RolloutState(3, 3, "ready", Done: true, Failed: false), state);
    }

    [Fact]
    public void Deployment_GenerationNotObservedYet_IsPendingEvenWithOldCountsComplete()
    {
        var state = RolloutEvaluator.Evaluate(Deployment(3, """{"observedGeneration":1,"replicas":3,"updatedReplicas":3,"readyReplicas":3,"availableReplicas":3}"""));

        Assert.False(state.Done);
        Assert.Equal("pending", state.State);
    }

    [Fact]
    public void Deployment_NoStatusYet_IsPending()
    {
        var state = RolloutEvaluator.Evaluate(Parse<V1Deployment>("""{"metadata":{"name":"web","generation":1},"spec":{"replicas":2}}"""));

        Assert.Equal(new RolloutState(0, 2, "pending", Done: false, Failed: false), state);
    }

    [Fact]
    public void Deployment_PartlyUpdated_SaysUpdatingWithCounts()
    {
        var state = RolloutEvaluator.Evaluate(Deployment(3, """{"observedGeneration":2,"replicas":4,"updatedReplicas":1,"readyReplicas":3,"availableReplicas":3}"""));

        Assert.Equal(new RolloutState(3, 3, "updating 1/3", Done: false, Failed: false), state);
    }

    [Fact]
    public void Deployment_SurgeReplicasOfOldTemplateLeft_IsNotDone()
    {
        // All new replicas exist and are available, but an old one (surge) is still terminating.
        var state = RolloutEvaluator.Evaluate(Deployment(3, """{"observedGeneration":2,"replicas":4,"updatedReplicas":3,"readyReplicas":4,"availableReplicas":4}"""));

        Assert.False(state.Done);
        Assert.Equal("terminating 1 old", state.State);
    }

    [Fact]
    public void Deployment_UpdatedButNotAvailable_IsStarting()
    {
        var state = RolloutEvaluator.Evaluate(Deployment(3, """{"observedGeneration":2,"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":1}"""));

        Assert.Equal(new RolloutState(1, 3, "starting 1/3", Done: false, Failed: false), state);
    }

    [Fact]
    public void Deployment_ProgressDeadlineExceeded_Fails()
    {
        var state = RolloutEvaluator.Evaluate(Deployment(2, """
            {"observedGeneration":2,"replicas":2,"updatedReplicas":1,"availableReplicas":1,
             "conditions":[{"type":"Progressing","status":"False","reason":"ProgressDeadlineExceeded","message":"ReplicaSet \"web-5d8\" has timed out progressing."}]}
            """));

        Assert.True(state.Failed);
        Assert.Equal("progress deadline exceeded: ReplicaSet \"web-5d8\" has timed out progressing.", state.State);
    }

    [Fact]
    public void Deployment_ScaledToZero_IsReady()
    {
        var state = RolloutEvaluator.Evaluate(Deployment(0, """{"observedGeneration":2}"""));

        Assert.True(state.Done);
    }

    private static V1StatefulSet StatefulSet(string spec, string status)
        => Parse<V1StatefulSet>($$"""{"metadata":{"name":"db","generation":3},"spec":{{spec}},"status":{{status}}}""");

    [Fact]
    public void StatefulSet_ReadyAndUpdatedSameRevision_IsReady()
    {
        var state = RolloutEvaluator.Evaluate(StatefulSet("""{"replicas":2}""", """{"observedGeneration":3,"replicas":2,"readyReplicas":2,"updatedReplicas":2,"currentRevision":"db-2","updateRevision":"db-2"}"""));

        Assert.Equal(new RolloutState(2, 2, "ready", Done: true, Failed: false), state);
    }

    [Fact]
    public void StatefulSet_NotAllUpdated_IsUpdating()
    {
        var state = RolloutEvaluator.Evaluate(StatefulSet("""{"replicas":3}""", """{"observedGeneration":3,"replicas":3,"readyReplicas":3,"updatedReplicas":1,"currentRevision":"db-1","updateRevision":"db-2"}"""));

        Assert.Equal("updating 1/3", state.State);
        Assert.False(state.Done);
    }

    [Fact]
    public void StatefulSet_RevisionsDiffer_IsNotDoneYet()
    {
        var state = RolloutEvaluator.Evaluate(StatefulSet("""{"replicas":2}""", """{"observedGeneration":3,"replicas":2,"readyReplicas":2,"updatedReplicas":2,"currentRevision":"db-1","updateRevision":"db-2"}"""));

        Assert.False(state.Done);
    }

    [Fact]
    public void StatefulSet_NotReady_IsStarting()
    {
        var state = RolloutEvaluator.Evaluate(StatefulSet("""{"replicas":2}""", """{"observedGeneration":3,"replicas":2,"readyReplicas":1,"updatedReplicas":2}"""));

        Assert.Equal("starting 1/2", state.State);
    }

    [Fact]
    public void StatefulSet_OnDelete_OnlyNeedsReadyReplicas()
    {
        var state = RolloutEvaluator.Evaluate(StatefulSet("""{"replicas":2,"updateStrategy":{"type":"OnDelete"}}""", """{"observedGeneration":3,"replicas":2,"readyReplicas":2,"updatedReplicas":0}"""));

        Assert.True(state.Done);
    }

    [Fact]
    public void StatefulSet_GenerationLag_IsPending()
    {
        var state = RolloutEvaluator.Evaluate(StatefulSet("""{"replicas":2}""", """{"observedGeneration":2,"replicas":2,"readyReplicas":2,"updatedReplicas":2}"""));

        Assert.Equal("pending", state.State);
    }

    private static V1DaemonSet DaemonSet(string status)
        => Parse<V1DaemonSet>($$"""{"metadata":{"name":"agent","generation":1},"spec":{},"status":{{status}}}""");

    [Fact]
    public void DaemonSet_AllScheduledUpdatedAvailable_IsReady()
    {
        var state = RolloutEvaluator.Evaluate(DaemonSet("""{"observedGeneration":1,"desiredNumberScheduled":3,"currentNumberScheduled":3,"updatedNumberScheduled":3,"numberAvailable":3,"numberReady":3,"numberMisscheduled":0}"""));

        Assert.Equal(new RolloutState(3, 3, "ready", Done: true, Failed: false), state);
    }

    [Fact]
    public void DaemonSet_NotAllUpdated_IsUpdating()
    {
        var state = RolloutEvaluator.Evaluate(DaemonSet("""{"observedGeneration":1,"desiredNumberScheduled":3,"currentNumberScheduled":3,"updatedNumberScheduled":2,"numberAvailable":3,"numberReady":3,"numberMisscheduled":0}"""));

        Assert.Equal("updating 2/3", state.State);
    }

    [Fact]
    public void DaemonSet_UpdatedNotAvailable_IsStarting()
    {
        var state = RolloutEvaluator.Evaluate(DaemonSet("""{"observedGeneration":1,"desiredNumberScheduled":3,"currentNumberScheduled":3,"updatedNumberScheduled":3,"numberAvailable":2,"numberReady":2,"numberMisscheduled":0}"""));

        Assert.Equal(new RolloutState(2, 3, "starting 2/3", Done: false, Failed: false), state);
    }

    private static V1Job Job(string status)
        => Parse<V1Job>("""{"metadata":{"name":"migrate","generation":1},"spec":{"completions":1,"template":{"spec":{"containers":[]}}},"status":""" + status + "}");

    [Fact]
    public void Job_Complete_IsDone()
    {
        var state = RolloutEvaluator.Evaluate(Job("""{"succeeded":1,"conditions":[{"type":"Complete","status":"True"}]}"""));

        Assert.Equal(new RolloutState(1, 1, "complete", Done: true, Failed: false), state);
    }

    [Fact]
    public void Job_Failed_FailsWithTheControllersMessage()
    {
        var state = RolloutEvaluator.Evaluate(Job("""{"failed":7,"conditions":[{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit"}]}"""));

        Assert.True(state.Failed);
        Assert.Equal("failed: BackoffLimitExceeded: Job has reached the specified backoff limit", state.State);
    }

    [Fact]
    public void Job_Active_IsRunning()
    {
        var state = RolloutEvaluator.Evaluate(Job("""{"active":1}"""));

        Assert.Equal(new RolloutState(0, 1, "running 0/1", Done: false, Failed: false), state);
    }

    [Fact]
    public void Missing_IsNeverDone()
    {
        Assert.Equal(RolloutState.Missing, RolloutEvaluator.Evaluate((object?)null));
    }
}
