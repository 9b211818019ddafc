using Berth.Kubernetes.Apply;
using Berth.Kubernetes.Observe;
using k8s;

namespace Berth.Kubernetes.Tests.Apply;

/// <summary>The per-kind table: what each row derives from its group/version/plural, and the orders read from it.</summary>
public sealed class ResourceKindsTests
{
    [Fact]
    public void Resource_IsThePluralQualifiedByTheGroup_AsRbacNamesIt()
        => Assert.Equal(
            ["secrets", "configmaps", "persistentvolumeclaims", "services", "deployments.apps", "statefulsets.apps", "daemonsets.apps", "jobs.batch",
             "networkpolicies.networking.k8s.io", "ingresses.networking.k8s.io", "horizontalpodautoscalers.autoscaling"],
            ResourceKinds.All.Select(k => k.Resource));

    [Fact]
    public void CollectionPath_CoreAndGroupedKinds_EscapeTheNamespace()
    {
        Assert.Equal("api/v1/namespaces/shop/secrets", ResourceKinds.Find("Secret")!.CollectionPath("shop"));
        Assert.Equal("apis/apps/v1/namespaces/a%20b/deployments", ResourceKinds.Find("Deployment")!.CollectionPath("a b"));
        Assert.Equal("apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers", ResourceKinds.Find("HorizontalPodAutoscaler")!.CollectionPath("shop"));
        Assert.Equal("api/v1/namespaces", ResourceKind.PathOf(string.Empty, "v1", "namespaces", null));
    }

    [Fact]
    public void DeleteRank_UsersBeforeWhatTheyUse()
    {
        string[] order = ["HorizontalPodAutoscaler", "Deployment", "Ingress", "Service", "Secret", "PersistentVolumeClaim"];
        Assert.Equal(order, order.OrderBy(ResourceKinds.DeleteRank));
        Assert.Equal(ResourceKinds.DeleteRank("Deployment"), ResourceKinds.DeleteRank("Job"));
        Assert.Equal(ResourceKinds.DeleteRank("Secret"), ResourceKinds.DeleteRank("ConfigMap"));
    }

    [Fact]
    public void Workloads_AreTheKindsThatRollOut_AndOnlyThoseCanBeWaitedFor()
    {
        Assert.Equal(["Deployment", "StatefulSet", "DaemonSet", "Job"], ResourceKinds.Workloads.Select(k => k.Kind));
        using var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" });
        var error = Assert.Throws<ArgumentException>(() => new ObservedStack(client, "shop", "a=b", ["Deployment", "Service"]));
        Assert.Contains("cannot wait for a Service", error.Message, StringComparison.Ordinal);
    }
}
