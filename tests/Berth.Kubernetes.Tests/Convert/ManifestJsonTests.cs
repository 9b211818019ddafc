using Berth.Kubernetes.Convert.Output;
using Berth.Kubernetes.Tests.Golden;
using Berth.Kubernetes.Tests.Support;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Convert;

/// <summary>
/// The generated manifest writer must write exactly what the Kubernetes client's own serialiser writes: every object
/// of every golden case, serialised both ways, byte for byte; and, on objects with every property of every reachable
/// model type set, exactly what System.Text.Json's source-generated serialiser wrote before it
/// (<see cref="ReferenceManifestJsonContext"/>).
/// </summary>
public sealed class ManifestJsonTests
{
    public static TheoryData<string> Cases() => GoldenCase.Names(TestPaths.GoldenRoot);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Serialize_EveryGoldenObject_SameAsKubernetesClient(string name)
    {
        var (_, _, plan) = GoldenCase.Convert(Path.Combine(TestPaths.GoldenRoot, name));

        Assert.NotEmpty(plan.Objects);
        foreach (var obj in plan.Objects)
        {
            Assert.Equal(KubernetesJson.Serialize(obj), ManifestJson.Serialize(obj));
        }
    }

    public static TheoryData<string> Roots() => new(ManifestJsonWriterSource.Roots.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Roots))]
    public void Serialize_EveryPropertySet_SameAsSourceGeneratedSerializer(string kind)
    {
        var type = ManifestJsonWriterSource.Roots.Single(t => t.Name == kind);
        var obj = (IKubernetesObject<V1ObjectMeta>)FilledModel.Create(type);

        var json = ManifestJson.Serialize(obj);

        Assert.Equal(JsonSerializer.Serialize(obj, ReferenceManifestJsonContext.Default.GetTypeInfo(type)!), json);
        Assert.True(json.Length > 2_000, $"{kind}: {json.Length} characters; the filled object should hold every property.");
    }

    [Fact]
    public void Serialize_EveryKindTheGoldensEmit_IsCoveredByTheFastPath()
    {
        var kinds = Directory.EnumerateDirectories(TestPaths.GoldenRoot)
            .SelectMany(dir => GoldenCase.Convert(dir).Plan.Objects)
            .Select(o => o.GetType())
            .Distinct()
            .Where(t => !ManifestJson.Covers(t))
            .Select(t => t.Name);

        Assert.Empty(kinds);
    }

    /// <summary>Int-or-string and quantity values are written by hand (not through the client's converters): every edge of their parsing.</summary>
    [Theory]
    [InlineData("80")]
    [InlineData("http")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 80 ")]
    [InlineData("0080")]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775808")]
    [InlineData("1.5")]
    [InlineData("1e3")]
    [InlineData("")]
    public void Serialize_IntOrStringValue_SameAsKubernetesClient(string text)
    {
        IntOrString targetPort = text;
        var service = new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = "s" },
            Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Port = 80, TargetPort = targetPort }] },
        };

        Assert.Equal(KubernetesJson.Serialize(service), ManifestJson.Serialize(service));
    }

    [Theory]
    [InlineData("100m")]
    [InlineData("0.5")]
    [InlineData("1Gi")]
    [InlineData("256M")]
    [InlineData("1e3")]
    [InlineData("1500m")]
    [InlineData("2")]
    public void Serialize_QuantityValue_SameAsKubernetesClient(string text)
    {
        var claim = new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta { Name = "c" },
            Spec = new V1PersistentVolumeClaimSpec { Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new ResourceQuantity(text) } } },
        };

        Assert.Equal(KubernetesJson.Serialize(claim), ManifestJson.Serialize(claim));
    }

    [Fact]
    public void Serialize_KindOutsideTheContext_FallsBackToTheClient()
    {
        var pod = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta { Name = "p", Labels = new Dictionary<string, string> { ["a"] = "b" } } };

        Assert.False(ManifestJson.Covers(typeof(V1Pod)));
        Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"b"},"name":"p"}}""", ManifestJson.Serialize(pod));
    }
}
