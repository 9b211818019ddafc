using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Tests.Support;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Convert;

public sealed class ConverterTests
{
    private const string Rich = """
        services:
          web:
            image: nginx
            ports: ["80:80"]
            volumes: [data:/data]
            healthcheck: {test: "true"}
          api:
            image: api
            deploy: {replicas: 2}
        volumes:
          data: {}
        """;

    [Fact]
    public void Convert_SameInputTwice_GivesIdenticalOutput()
    {
        var first = KubernetesManifestWriter.ToYaml(Support.Compose.Convert(Rich));
        var second = KubernetesManifestWriter.ToYaml(Support.Compose.Convert(Rich));
        Assert.Equal(first, second);
    }

    [Fact]
    public void Convert_ServiceWithOwnVolume_BecomesStatefulSetWithGoverningService()
    {
        var plan = Support.Compose.Convert(Rich);
        var set = Assert.Single(plan.Objects.OfType<V1StatefulSet>());
        Assert.Equal("web-headless", set.Spec.ServiceName);
        Assert.Contains(plan.Objects.OfType<V1Service>(), s => s.Metadata.Name == "web-headless" && s.Spec.ClusterIP == "None");
        Assert.Single(set.Spec.VolumeClaimTemplates);
    }

    [Fact]
    public void Convert_PlacementConstraint_KeepsTheFullValueAndAddsNoOsOrArch()
    {
        var plan = Support.Compose.Convert("services:\n  a:\n    image: x\n    deploy:\n      placement:\n        constraints: [node.hostname==node-1]\n");
        var deployment = Assert.Single(plan.Objects.OfType<V1Deployment>());
        var expression = Assert.Single(deployment.Spec.Template.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchExpressions);
        Assert.Equal("kubernetes.io/hostname", expression.Key);
        Assert.Equal(["node-1"], expression.Values);
    }

    [Fact]
    public void Convert_NamesThatCollide_AreErrors()
    {
        var plan = Support.Compose.Convert("services:\n  a_b:\n    image: x\n  a-b:\n    image: x\n");
        Assert.True(plan.HasErrors);
        Assert.Contains(plan.Diagnostics, d => d.Code == KubernetesDiagnosticCodes.NameCollision);
    }

    [Fact]
    public void Convert_MissingSecretFile_IsAnErrorAtTheFileKey()
    {
        var project = Support.Compose.Load("services:\n  a:\n    image: x\n    secrets: [s]\nsecrets:\n  s: {file: ./nope.txt}\n");
        var plan = KubernetesConverter.Convert(project, new KubernetesConvertOptions());
        var error = Assert.Single(plan.Diagnostics, d => d.Code == KubernetesDiagnosticCodes.MissingContent);
        Assert.Equal(6, error.Location.Line);
    }

    [Fact]
    public void Convert_ExternalSecretWithInvalidName_IsAnErrorOnlyWhenAServiceUsesIt()
    {
        const string Unused = "services:\n  a:\n    image: x\nsecrets:\n  my_other:\n    external: true\n";
        var unused = Support.Compose.Convert(Unused);
        Assert.False(unused.HasErrors, string.Join('\n', unused.Diagnostics));
        var warning = Assert.Single(unused.Diagnostics, d => d.Code == KubernetesDiagnosticCodes.InvalidName);
        Assert.Equal(Berth.Compose.Diagnostics.Severity.Warning, warning.Severity);

        var used = Support.Compose.Convert(Unused.Replace("image: x\n", "image: x\n    secrets: [my_other]\n", StringComparison.Ordinal));
        var error = Assert.Single(used.Diagnostics, d => d.Code == KubernetesDiagnosticCodes.InvalidName);
        Assert.Equal(Berth.Compose.Diagnostics.Severity.Error, error.Severity);
    }

    [Fact]
    public void Convert_SecretFromADriver_IsAnErrorNamingTheDriver()
    {
        var plan = Support.Compose.Convert("services:\n  a:\n    image: x\n    secrets: [s]\nsecrets:\n  s:\n    driver: vault\n");
        var error = Assert.Single(plan.Diagnostics, d => d.Code == KubernetesDiagnosticCodes.MissingContent);
        Assert.Contains("driver 'vault'", error.Message, StringComparison.Ordinal);
        Assert.Equal(7, error.Location.Line);
    }

    [Fact]
    public void ToJson_IsAListOfAllObjects()
    {
        var plan = Support.Compose.Convert(Rich);
        using var json = System.Text.Json.JsonDocument.Parse(KubernetesManifestWriter.ToJson(plan));
        Assert.Equal("List", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(plan.Objects.Length, json.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public void ToFiles_NamesEachFileAfterObjectAndKind()
    {
        var files = KubernetesManifestWriter.ToFiles(Support.Compose.Convert(Rich), "yaml");
        Assert.Contains(files, f => f.FileName == "web-statefulset.yaml");
        Assert.Contains(files, f => f.FileName == "api-deployment.yaml");
    }
}
