using Berth.Cli.Commands.Stack;
using Docker.DotNet.Models;

namespace Berth.Cli.Tests.Output;

/// <summary>The values of docker's service and task formatters, computed from Engine API objects.</summary>
public sealed class SwarmListingTests
{
    private static readonly DateTime s_t0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    private static SwarmService Replicated(ulong replicas, ulong engineRunning, ulong desired) => new()
    {
        ID = "svc",
        Spec = new ServiceSpec { Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = replicas } } },
        ServiceStatus = new ServiceStatus { RunningTasks = engineRunning, DesiredTasks = desired },
    };

    private static TaskResponse Task(long slot, TaskState desired, TaskState state, int ageSeconds, string node = "n1") => new()
    {
        ID = Guid.NewGuid().ToString("N"),
        ServiceID = "svc",
        Slot = slot,
        NodeID = node,
        DesiredState = desired,
        CreatedAt = s_t0.AddSeconds(-ageSeconds),
        Status = new Docker.DotNet.Models.TaskStatus { State = state },
    };

    [Fact]
    public void Replicas_DuringAnUpdate_CountsOnlyTheCurrentTaskOfEachSlot_NeverAboveDesired()
    {
        // The engine counts the old task still running beside its replacement: docker shows 2/1.
        var service = Replicated(replicas: 1, engineRunning: 2, desired: 1);
        TaskResponse[] tasks =
        [
            Task(1, TaskState.Running, TaskState.Running, ageSeconds: 1),
            Task(1, TaskState.Running, TaskState.Running, ageSeconds: 60),
            Task(2, TaskState.Running, TaskState.Running, ageSeconds: 60),
            Task(1, TaskState.Shutdown, TaskState.Running, ageSeconds: 120),
        ];

        Assert.Equal("1/1", SwarmListing.Replicas(service, tasks));
    }

    [Fact]
    public void Replicas_NewTaskNotYetRunning_IsNotCountedEvenIfTheOldOneStillRuns()
    {
        var service = Replicated(replicas: 2, engineRunning: 2, desired: 2);
        TaskResponse[] tasks =
        [
            Task(1, TaskState.Running, TaskState.Preparing, ageSeconds: 1),
            Task(1, TaskState.Shutdown, TaskState.Running, ageSeconds: 60),
            Task(2, TaskState.Running, TaskState.Running, ageSeconds: 60),
        ];

        Assert.Equal("1/2", SwarmListing.Replicas(service, tasks));
    }

    [Fact]
    public void Replicas_MaxPerNode_AsDocker()
    {
        var service = Replicated(replicas: 2, engineRunning: 2, desired: 2);
        service.Spec!.TaskTemplate = new TaskSpec { Placement = new Placement { MaxReplicas = 1 } };
        Assert.Equal("2/2 (max 1 per node)", SwarmListing.Replicas(service, [Task(1, TaskState.Running, TaskState.Running, 5), Task(2, TaskState.Running, TaskState.Running, 5)]));
    }

    [Fact]
    public void Replicas_Global_CountsTheCurrentTaskPerNode()
    {
        var service = new SwarmService
        {
            ID = "svc",
            Spec = new ServiceSpec { Mode = new ServiceMode { Global = new GlobalService() } },
            ServiceStatus = new ServiceStatus { RunningTasks = 3, DesiredTasks = 2 },
        };
        TaskResponse[] tasks =
        [
            Task(0, TaskState.Running, TaskState.Running, 1, "n1"),
            Task(0, TaskState.Running, TaskState.Running, 50, "n1"),
            Task(0, TaskState.Running, TaskState.Starting, 1, "n2"),
        ];

        Assert.Equal("1/2", SwarmListing.Replicas(service, tasks));
    }

    [Fact]
    public void Replicas_Jobs_ShowCompletions()
    {
        var replicatedJob = new SwarmService
        {
            ID = "svc",
            Spec = new ServiceSpec { Mode = new ServiceMode { ReplicatedJob = new ReplicatedJob { MaxConcurrent = 2, TotalCompletions = 2 } } },
            ServiceStatus = new ServiceStatus { RunningTasks = 0, DesiredTasks = 0, CompletedTasks = 2 },
        };
        var globalJob = new SwarmService
        {
            ID = "svc",
            Spec = new ServiceSpec { Mode = new ServiceMode { GlobalJob = new GlobalJob() } },
            ServiceStatus = new ServiceStatus { RunningTasks = 1, DesiredTasks = 1, CompletedTasks = 2 },
        };

        Assert.Equal("0/0 (2/2 completed)", SwarmListing.Replicas(replicatedJob, []));
        Assert.Equal("1/1 (2/3 completed)", SwarmListing.Replicas(globalJob, []));
    }

    [Theory]
    [InlineData("berth-test/busybox:1", "berth-test/busybox:1")]
    [InlineData("nginx:1.27@sha256:0123456789abcdef", "nginx:1.27")]
    [InlineData("docker.io/library/nginx:1.27", "nginx:1.27")]
    [InlineData("docker.io/bitnami/redis:7", "bitnami/redis:7")]
    [InlineData("registry.local:5000/app@sha256:0123", "registry.local:5000/app@sha256:0123")]
    [InlineData("registry.local:5000/app:2@sha256:0123", "registry.local:5000/app:2")]
    public void Image_FamiliarAndWithoutThePinnedDigest(string image, string expected) => Assert.Equal(expected, SwarmListing.Image(image));

    [Fact]
    public void ServicePorts_IngressOnly_ConsecutivePortsAsRanges()
    {
        PortConfig[] ports =
        [
            new() { Protocol = "tcp", PublishedPort = 8081, TargetPort = 81, PublishMode = "ingress" },
            new() { Protocol = "tcp", PublishedPort = 8080, TargetPort = 80, PublishMode = "ingress" },
            new() { Protocol = "udp", PublishedPort = 53, TargetPort = 53, PublishMode = "ingress" },
            new() { Protocol = "tcp", PublishedPort = 9000, TargetPort = 9000, PublishMode = "host" },
            new() { Protocol = "tcp", PublishedPort = 443, TargetPort = 8443, PublishMode = "ingress" },
        ];

        Assert.Equal("*:443->8443/tcp, *:8080-8081->80-81/tcp, *:53->53/udp", SwarmListing.ServicePorts(ports));
    }

    [Theory]
    [InlineData(0.5, "less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(61, "about a minute")]
    [InlineData(150, "2 minutes")]
    [InlineData(3600, "about an hour")]
    [InlineData(5 * 3600, "5 hours")]
    [InlineData(3 * 86400, "3 days")]
    public void HumanDuration_AsGoUnits(double seconds, string expected) => Assert.Equal(expected, SwarmListing.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void CurrentState_StateAndAge()
        => Assert.Equal("Running 5 seconds ago", SwarmListing.CurrentState(TaskState.Running, s_t0, s_t0.AddSeconds(5)));
}
