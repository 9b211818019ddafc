using Berth.Swarm.Apply;
using Docker.DotNet.Models;

namespace Berth.Swarm.Tests.Apply;

/// <summary>How one read of a service and its current-spec tasks is judged (docker's monitor rules, restart loops).</summary>
public sealed class ServiceHealthTests
{
    private static readonly DateTime s_now = new(2026, 12, 6, 12, 0, 0, DateTimeKind.Utc);

    private static SwarmService Replicated(ulong replicas, UpdateStatus? update = null) => new()
    {
        ID = "svc1",
        Spec = new ServiceSpec { Name = "s_web", Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } } },
        UpdateStatus = update,
    };

    private static TaskResponse Task(string id, long slot, TaskState state, double secondsAgo, string? err = null, TaskState desired = TaskState.Running) => new()
    {
        ID = id,
        ServiceID = "svc1",
        Slot = slot,
        DesiredState = desired,
        Status = new Docker.DotNet.Models.TaskStatus { State = state, Timestamp = s_now.AddSeconds(-secondsAgo), Err = err ?? string.Empty },
    };

    [Fact]
    public void RunningTasks_AreHealthy_StableSinceTheYoungestStarted()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(2), [Task("t1", 1, TaskState.Running, 30), Task("t2", 2, TaskState.Running, 2)], s_now, rollingBack: false, writtenAfter: null);

        Assert.Equal(HealthState.Running, check.State);
        Assert.Equal(2UL, check.Running);
        Assert.Equal(s_now.AddSeconds(-2), check.StableSince);
    }

    [Fact]
    public void ARecentExitInAnotherSlot_RestartsTheStabilityWindow()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(1), [Task("t1", 1, TaskState.Running, 30), Task("t0", 2, TaskState.Failed, 1, "non-zero exit (1)", TaskState.Shutdown)], s_now, false, null);

        Assert.Equal(HealthState.Running, check.State);
        Assert.Equal(s_now.AddSeconds(-1), check.StableSince);
    }

    [Fact]
    public void ThreeRecentExitsOfOneSlot_AreARestartLoop_ReportedWithTheTaskError()
    {
        // The fourth attempt is running right now: still a loop, not a recovery.
        var check = ServiceHealth.Evaluate("s_web", Replicated(1),
            [Task("t1", 1, TaskState.Failed, 20, "non-zero exit (1)", TaskState.Shutdown), Task("t2", 1, TaskState.Failed, 12, "non-zero exit (1)", TaskState.Shutdown),
             Task("t3", 1, TaskState.Failed, 5, "non-zero exit (1)", TaskState.Shutdown), Task("t4", 1, TaskState.Running, 0.5)],
            s_now, false, null);

        Assert.Equal(HealthState.Failed, check.State);
        Assert.Contains("task t3 failed: non-zero exit (1)", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void OldExits_DoNotCountAgainstAServiceRunningSinceThen()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(1),
            [Task("t1", 1, TaskState.Failed, 300, "non-zero exit (1)", TaskState.Shutdown), Task("t2", 1, TaskState.Failed, 290, "non-zero exit (1)", TaskState.Shutdown),
             Task("t3", 1, TaskState.Failed, 280, "non-zero exit (1)", TaskState.Shutdown), Task("t4", 1, TaskState.Running, 270)],
            s_now, false, null);

        Assert.Equal(HealthState.Running, check.State);
    }

    [Fact]
    public void ATaskThatEnds_IsAnExitForAServiceThatShouldKeepRunning()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(1),
            [Task("t1", 1, TaskState.Complete, 20, desired: TaskState.Shutdown), Task("t2", 1, TaskState.Complete, 12, desired: TaskState.Shutdown), Task("t3", 1, TaskState.Complete, 5, desired: TaskState.Shutdown)],
            s_now, false, null);

        Assert.Equal(HealthState.Failed, check.State);
    }

    [Fact]
    public void AnUpdateInProgress_IsPending_EvenWithAllTasksRunning()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(1, new UpdateStatus { State = "updating", StartedAt = s_now }), [Task("t1", 1, TaskState.Running, 30)], s_now, false, s_now.AddSeconds(-1));

        Assert.Equal(HealthState.Pending, check.State);
        Assert.StartsWith("updating", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTasksOfTheCurrentSpec_ArePending()
    {
        // Right after an update the previous spec's tasks still run; the caller lists only the current spec's, so none yet.
        var check = ServiceHealth.Evaluate("s_web", Replicated(2), [], s_now, false, s_now.AddSeconds(-1));

        Assert.Equal(HealthState.Pending, check.State);
        Assert.Equal(0UL, check.Running);
        Assert.Equal(2UL, check.Desired);
    }

    [Fact]
    public void APausedUpdate_Fails()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(1, new UpdateStatus { State = "paused", StartedAt = s_now, Message = "update paused due to failure" }), [Task("t1", 1, TaskState.Running, 30)], s_now, false, s_now.AddSeconds(-1));

        Assert.Equal(HealthState.Failed, check.State);
        Assert.StartsWith("update paused", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUpdateStateOlderThanThisDeploysWrite_IsAPreviousUpdates()
    {
        var check = ServiceHealth.Evaluate("s_web", Replicated(1, new UpdateStatus { State = "rollback_completed", StartedAt = s_now.AddMinutes(-10) }), [Task("t1", 1, TaskState.Running, 30)], s_now, false, s_now.AddSeconds(-1));

        Assert.Equal(HealthState.Running, check.State);
    }

    [Fact]
    public void ARollbackTheEngineMade_FailsAServiceThisDeployWrote_NotAnUnchangedOne()
    {
        var rolledBack = new UpdateStatus { State = "rollback_completed", StartedAt = s_now, Message = "rollback completed" };

        Assert.Equal(HealthState.Failed, ServiceHealth.Evaluate("s_web", Replicated(1, rolledBack), [Task("t1", 1, TaskState.Running, 30)], s_now, false, s_now.AddSeconds(-1)).State);
        Assert.Equal(HealthState.Running, ServiceHealth.Evaluate("s_web", Replicated(1, rolledBack), [Task("t1", 1, TaskState.Running, 30)], s_now, false, null).State);
        Assert.Equal(HealthState.Running, ServiceHealth.Evaluate("s_web", Replicated(1, rolledBack), [Task("t1", 1, TaskState.Running, 30)], s_now, rollingBack: true, s_now.AddSeconds(-1)).State);
    }

    [Fact]
    public void AJob_IsCompleted_WhenAllCompletionsOfItsIterationAreDone()
    {
        var job = new SwarmService
        {
            ID = "svc1",
            Spec = new ServiceSpec { Name = "s_job", Mode = new ServiceMode { ReplicatedJob = new ReplicatedJob { MaxConcurrent = 2, TotalCompletions = 2 } } },
        };

        Assert.Equal(HealthState.Pending, ServiceHealth.Evaluate("s_job", job, [Task("t1", 1, TaskState.Complete, 1, desired: TaskState.Complete), Task("t2", 2, TaskState.Running, 1, desired: TaskState.Complete)], s_now, false, null).State);
        Assert.Equal(HealthState.Completed, ServiceHealth.Evaluate("s_job", job, [Task("t1", 1, TaskState.Complete, 1, desired: TaskState.Complete), Task("t2", 2, TaskState.Complete, 0, desired: TaskState.Complete)], s_now, false, null).State);
    }

    [Fact]
    public void AMissingService_IsMissing()
        => Assert.Equal(HealthState.Missing, ServiceHealth.Evaluate("s_web", null, [], s_now, false, null).State);
}
