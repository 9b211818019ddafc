using Berth.Kubernetes.Observe;
using k8s.Models;
using static Berth.Kubernetes.Tests.Observe.KubeObjects;

namespace Berth.Kubernetes.Tests.Observe;

public sealed class StackReaderTests
{
    private static V1Service Service(string name, string spec, string status = "{}")
        => Parse<V1Service>($$"""{"metadata":{"name":"{{name}}"},"spec":{{spec}},"status":{{status}} }""");

    [Fact]
    public void PortText_LoadBalancerUsesHostnameWhenNoIp_AndHidesClusterPortsAlreadyPublished()
    {
        var text = PortText.Of(
        [
            Service("web", """{"type":"ClusterIP","ports":[{"port":80,"targetPort":80,"protocol":"TCP"},{"port":9090,"targetPort":9090,"protocol":"TCP"}]}"""),
            Service("web-published", """{"type":"LoadBalancer","ports":[{"port":8080,"targetPort":80,"protocol":"TCP"}]}""", """{"loadBalancer":{"ingress":[{"hostname":"lb.example.com"}]}}"""),
            Service("web-udp", """{"type":"NodePort","ports":[{"port":53,"targetPort":53,"protocol":"UDP"}]}"""),
        ]);

        Assert.Equal("lb.example.com:8080->80/TCP, *:<pending>->53/UDP, 9090/TCP", text);
    }

    [Fact]
    public void PortText_HeadlessPlaceholderOfComposeOnKubernetes_IsLeftOut_ButRealHeadlessPortsShow()
    {
        Assert.Equal(string.Empty, PortText.Of([Service("w", """{"clusterIP":"None","ports":[{"name":"headless","port":55555,"targetPort":55555}]}""")]));
        Assert.Equal("5432/TCP", PortText.Of([Service("db", """{"clusterIP":"None","ports":[{"name":"5432-tcp","port":5432,"targetPort":5432,"protocol":"TCP"}]}""")]));
    }

    [Fact]
    public void PodRow_Terminating_WinsOverPhase()
    {
        var pod = Pod("web-1", "web", RunningReady, extraMetadata: ""","deletionTimestamp":"2026-11-28T02:59:00Z" """);

        var row = StackReader.PodRow(pod, Now);

        Assert.Equal("Terminating", row.Status);
        Assert.Equal(string.Empty, row.Reason);
    }

    [Fact]
    public void PodRow_ContainerCreating_IsTheStatusWithoutReason_ConfigErrorHasReason()
    {
        Assert.Equal(("ContainerCreating", ""), (StackReader.PodRow(Pod("web-1", "web", Creating), Now) is var a ? (a.Status, a.Reason) : default));
        var config = StackReader.PodRow(Pod("web-2", "web", ConfigError), Now);
        Assert.Equal("CreateContainerConfigError", config.Status);
        Assert.Equal("CreateContainerConfigError: secret \"db-password\" not found", config.Reason);
    }
}
