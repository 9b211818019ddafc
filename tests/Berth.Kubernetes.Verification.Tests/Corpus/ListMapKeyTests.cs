using System.Text.Json.Nodes;
using Berth.Kubernetes.Convert;
using Berth.Kubernetes.Verification.Tests.Support;

namespace Berth.Kubernetes.Verification.Tests.Corpus;

/// <summary>
/// No list Berth emits repeats a list-map key (ports, env, volumes, volumeMounts, containers, ...): server-side apply
/// refuses such an object (kubernetes/kubernetes#113482). The keys are the ones the Kubernetes OpenAPI declares.
/// </summary>
public sealed class ListMapKeyTests
{
    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"web","image":"nginx",
             "ports":[{"containerPort":80,"protocol":"TCP","hostPort":8080},{"containerPort":80,"protocol":"TCP","hostPort":8081},{"containerPort":80,"protocol":"UDP"}]}]}}}}
        """;

    [Theory]
    [MemberData(nameof(CorpusConversionTests.AcceptedFiles), MemberType = typeof(CorpusConversionTests))]
    public void Convert_CorpusFile_NoListRepeatsAListMapKey(string relativePath)
    {
        var (_, objects) = Conversion.Convert(Conversion.Load(Path.Combine(TestPaths.Corpus, relativePath)));

        var duplicates = objects.SelectMany(ListMapKeyChecker.Shared.Duplicates).ToList();

        Assert.True(duplicates.Count == 0, $"{relativePath}:\n{string.Join('\n', duplicates)}");
    }

    [Fact]
    public void Checker_ReadsTheKeysFromTheOpenApi()
    {
        Assert.Equal(["containerPort", "protocol"], ListMapKeyChecker.Shared.KeysOf("io.k8s.api.core.v1.Container", "ports"));
        Assert.Equal(["name"], ListMapKeyChecker.Shared.KeysOf("io.k8s.api.core.v1.Container", "env"));
        Assert.Equal(["mountPath"], ListMapKeyChecker.Shared.KeysOf("io.k8s.api.core.v1.Container", "volumeMounts"));
        Assert.Equal(["port", "protocol"], ListMapKeyChecker.Shared.KeysOf("io.k8s.api.core.v1.ServiceSpec", "ports"));
        Assert.Equal(["name"], ListMapKeyChecker.Shared.KeysOf("io.k8s.api.core.v1.PodSpec", "volumes"));
        Assert.Empty(ListMapKeyChecker.Shared.KeysOf("io.k8s.api.core.v1.Container", "args"));
    }

    [Fact]
    public void Checker_FindsTwoContainerPortsWithOneKey_AndOnlyThem()
    {
        var duplicate = Assert.Single(ListMapKeyChecker.Shared.Duplicates(JsonNode.Parse(Deployment)!));

        Assert.Contains("/spec/template/spec/containers/0/ports: items 0 and 1", duplicate, StringComparison.Ordinal);
        Assert.Contains("containerPort=80, protocol=\"TCP\"", duplicate, StringComparison.Ordinal);
    }

    [Fact]
    public void Checker_UnknownKind_IsReported()
        => Assert.Contains("no OpenAPI definition", Assert.Single(ListMapKeyChecker.Shared.Duplicates(JsonNode.Parse("""{"apiVersion":"v9","kind":"Nothing"}""")!)), StringComparison.Ordinal);

    [Fact]
    public void Convert_TwoHostModePortsOnOneTarget_OneContainerPort_AndTheDroppedHostPortIsReported()
    {
        var (plan, objects) = ConvertText("""
            services:
              edge:
                image: traefik
                ports:
                  - {target: 80, published: "8080", mode: host}
                  - {target: 80, published: "8081", mode: host}
                  - {target: 443, published: "443"}
                  - {target: 443, published: "8443", mode: host}
            """);

        Assert.Empty(objects.SelectMany(ListMapKeyChecker.Shared.Duplicates));
        var ports = objects.Single(o => (string?)o["kind"] == "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["ports"]!.AsArray();
        Assert.Equal(
            ["""{"containerPort":80,"hostPort":8080,"protocol":"TCP"}""", """{"containerPort":443,"hostPort":8443,"protocol":"TCP"}"""],
            ports.Select(p => p!.ToJsonString()));
        var dropped = Assert.Single(plan.Fidelity, e => e.Service == "edge" && e.Key == "ports[1]");
        Assert.Equal(FidelityOutcome.Approximated, dropped.Outcome);
        Assert.Contains("hostPort 8081 is not set", dropped.Detail, StringComparison.Ordinal);
        Assert.Contains("ports[0] has hostPort 8080", dropped.Detail, StringComparison.Ordinal);
        Assert.Contains(plan.Diagnostics, d => d.Code == KubernetesDiagnosticCodes.Approximated && d.Message.Contains("hostPort 8081", StringComparison.Ordinal) && d.Location.Line == 6);
        Assert.Contains(plan.Fidelity, e => e.Key == "ports[3]" && e.Outcome == FidelityOutcome.Mapped && e.Detail.Contains("hostPort 8443", StringComparison.Ordinal));
    }

    private static (KubernetesPlan Plan, IReadOnlyList<JsonObject> Objects) ConvertText(string yaml)
    {
        var dir = Directory.CreateTempSubdirectory("berth-list-map-");
        try
        {
            var file = Path.Combine(dir.FullName, "compose.yaml");
            File.WriteAllText(file, yaml);
            return Conversion.Convert(Conversion.Load(file));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
