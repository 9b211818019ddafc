using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Tests.Support;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Convert;

public sealed class ApiTests
{
    [Fact]
    public void Convert_SimpleService_MakesDeploymentAndService()
    {
        var plan = Support.Compose.Convert("services:\n  web:\n    image: nginx\n    ports: ['8080:80']\n");

        Assert.False(plan.HasErrors, string.Join('\n', plan.Diagnostics));
        var deployment = Assert.Single(plan.Objects.OfType<V1Deployment>());
        Assert.Equal("web", deployment.Metadata.Name);
        Assert.Contains(plan.Objects.OfType<V1Service>(), s => s.Metadata.Name == "web");
        var yaml = KubernetesManifestWriter.ToYaml(plan);
        Assert.Contains("kind: Deployment", yaml, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage(yaml);
    }
}
