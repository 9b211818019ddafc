using Berth.StackService.Kubernetes;
using k8s.Models;

namespace Berth.StackService.Tests;

/// <summary>How a Kubernetes plan names image changes (pure; the registry and the API double are in Berth.Cli.Tests' KubernetesImagePinningCliTests).</summary>
public sealed class KubernetesImagePinsTests
{
    private const string A = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Theory]
    [InlineData($"127.0.0.1:5000/x:1@{A}", $"127.0.0.1:5000/x:1@{B}", "image 127.0.0.1:5000/x:1@sha256:aaaaaaaaaaaa… → @sha256:bbbbbbbbbbbb… (tag 1 moved)")]
    [InlineData($"127.0.0.1:5000/x@{A}", $"127.0.0.1:5000/x@{B}", "image 127.0.0.1:5000/x@sha256:aaaaaaaaaaaa… → @sha256:bbbbbbbbbbbb… (tag latest moved)")]
    [InlineData($"x:1@{A}", $"x:2@{B}", "image x:1@sha256:aaaaaaaaaaaa… → x:2@sha256:bbbbbbbbbbbb…")]
    [InlineData("x:1", $"x:1@{B}", "image x:1 → x:1@sha256:bbbbbbbbbbbb…")]
    public void ImageChangeText_SaysWhenTheTagMoved(string from, string to, string expected)
        => Assert.Equal(expected, KubernetesImagePins.ImageChangeText(from, to));

    [Fact]
    public void ImageChanges_OnlyContainersWhoseImageDiffers_WithFullValues()
    {
        var live = Deployment(("web", $"x:1@{A}"), ("side", "y:1"));
        var desired = Deployment(("web", $"x:1@{B}"), ("side", "y:1"));

        var change = Assert.Single(KubernetesImagePins.ImageChanges(desired, live));

        Assert.Equal("spec.template.spec.containers[web].image", change.Field);
        Assert.Equal(($"x:1@{A}", $"x:1@{B}"), (change.From, change.To));
        Assert.Empty(KubernetesImagePins.ImageChanges(desired, null));
        Assert.Empty(KubernetesImagePins.ImageChanges(new V1Service { Metadata = new V1ObjectMeta { Name = "web" } }, live));
    }

    private static V1Deployment Deployment(params (string Name, string Image)[] containers) => new()
    {
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1DeploymentSpec { Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [.. containers.Select(c => new V1Container { Name = c.Name, Image = c.Image })] } } },
    };
}
