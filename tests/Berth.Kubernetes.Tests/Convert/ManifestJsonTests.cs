using Berth.Kubernetes.Convert.Output;
using Berth.Kubernetes.Tests.Golden;
using Berth.Kubernetes.Tests.Support;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Convert;

/// <summary>
/// The emitted-kinds JSON context must write exactly what the Kubernetes client's own serialiser writes: every object
/// of every golden case, serialised both ways, byte for byte (its fast-path code is generated from the same models,
/// so a client upgrade that changes a model or its settings shows here rather than as a drifted manifest).
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

    [Fact]
    public void Serialize_KindOutsideTheContext_FallsBackToTheClient()
    {
        var pod = new V1Pod { ApiVersion = "v1", Kind = "Pod", Metadata = new V1ObjectMeta { Name = "p", Labels = new Dictionary<string, string> { ["a"] = "b" } } };

        Assert.False(ManifestJson.Covers(typeof(V1Pod)));
        Assert.Equal("""{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"b"},"name":"p"}}""", ManifestJson.Serialize(pod));
    }
}
