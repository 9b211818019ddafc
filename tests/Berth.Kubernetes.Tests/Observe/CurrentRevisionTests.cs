using Berth.Kubernetes.Observe;
using k8s.Models;
using static Berth.Kubernetes.Tests.Observe.KubeObjects;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class CurrentRevisionTests
{
    private static V1Deployment Deployment(string name, string message, long observed = 2)
        => Parse<V1Deployment>($$"""
            {"metadata":{"name":"{{name}}","generation":2},"spec":{"replicas":2},
             "status":{"observedGeneration":{{observed}},"replicas":3,"updatedReplicas":1,"availableReplicas":1,
               "conditions":[{"type":"Progressing","status":"True","reason":"ReplicaSetUpdated","message":{{System.Text.Json.JsonSerializer.Serialize(message)}} }]} }
            """);

    private static V1Pod OwnedPod(string name, string service, string status, string ownerKind, string owner)
        => Pod(name, service, status, extraMetadata: $$""","ownerReferences":[{"apiVersion":"apps/v1","kind":"{{ownerKind}}","name":"{{owner}}","uid":"u","controller":true}]""");

    [Theory]
    [InlineData("ReplicaSet \"web-7c9\" is progressing.")]
    [InlineData("Created new replica set \"web-7c9\"")]
    [InlineData("ReplicaSet \"web-7c9\" has successfully progressed.")]
    public void NewReplicaSet_ReadFromTheProgressingCondition(string message)
    {
        Assert.Equal("web-7c9", CurrentRevision.NewReplicaSet(Deployment("web", message)));
    }

    [Fact]
    public void NewReplicaSet_UnknownUntilTheSpecIsObserved()
    {
        Assert.Null(CurrentRevision.NewReplicaSet(Deployment("web", "ReplicaSet \"web-old\" has successfully progressed.", observed: 1)));
    }

    [Fact]
    public void DeploymentPods_OfTheOldReplicaSetAreNotCurrent_LongestWorkloadNameOwnsThePod()
    {
        object[] live = [Deployment("web", "ReplicaSet \"web-7c9\" is progressing."), Deployment("web-api", "ReplicaSet \"web-api-111\" is progressing.")];

        Assert.True(CurrentRevision.IsCurrent(OwnedPod("web-7c9-a", "web", ImagePullBackOff, "ReplicaSet", "web-7c9"), live));
        Assert.False(CurrentRevision.IsCurrent(OwnedPod("web-5d8-a", "web", ImagePullBackOff, "ReplicaSet", "web-5d8"), live));
        Assert.True(CurrentRevision.IsCurrent(OwnedPod("web-api-111-a", "web-api", ImagePullBackOff, "ReplicaSet", "web-api-111"), live));
        Assert.True(CurrentRevision.IsCurrent(Pod("bare", "web", ImagePullBackOff), live));
    }

    [Fact]
    public void StatefulSetPods_OfAnOlderRevisionAreNotCurrent()
    {
        var db = Parse<V1StatefulSet>("""{"metadata":{"name":"db","generation":2},"spec":{"replicas":2},"status":{"observedGeneration":2,"updateRevision":"db-2","currentRevision":"db-1"}}""");
        V1Pod Revision(string name, string revision)
        {
            var pod = OwnedPod(name, "db", CrashLoop, "StatefulSet", "db");
            pod.Metadata.Labels["controller-revision-hash"] = revision;
            return pod;
        }

        Assert.False(CurrentRevision.IsCurrent(Revision("db-1", "db-1"), [db]));
        Assert.True(CurrentRevision.IsCurrent(Revision("db-0", "db-2"), [db]));
    }

    [Fact]
    public void Tracker_OldReplicaSetPodWithBrokenImage_NeitherShowsNorFails()
    {
        var web = Deployment("web", "ReplicaSet \"web-7c9\" is progressing.");
        var tracker = new RolloutTracker([new WorkloadRef("Deployment", "web", "web")], TimeSpan.Zero);
        var pods = new[] { OwnedPod("web-5d8-a", "web", ImagePullBackOff, "ReplicaSet", "web-5d8"), OwnedPod("web-7c9-a", "web", Creating, "ReplicaSet", "web-7c9") };

        var result = Assert.Single(tracker.Observe(_ => web, pods, [], Now));

        Assert.False(result.Progress.Failed);
        Assert.Empty(result.Problems);
        Assert.Equal("updating 1/2", result.Progress.State);
    }
}
