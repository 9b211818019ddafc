using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Verification.Tests.Support;

namespace Berth.Kubernetes.Verification.Tests.Schema;

/// <summary>The schemas derived from the OpenAPI document at test time have the standalone-strict shape the validator relies on.</summary>
public sealed class KubernetesSchemaDeriverTests
{
    private static readonly Lazy<KubernetesSchemaDeriver> _deriver = new(() => KubernetesSchemaDeriver.FromCompressedOpenApi(TestPaths.KubernetesOpenApi));

    private static JsonObject Deployment => _deriver.Value.Derive("io.k8s.api.apps.v1.Deployment", "apps/v1", "Deployment", []);

    [Fact]
    public void Derive_EveryIndexedKind_IsKnownToTheValidator()
    {
        // 42 kinds as listed in testdata/schemas/kubernetes/v1.36-standalone-strict-derived/index.json.
        Assert.Equal(42, KubernetesSchemaValidator.Shared.Kinds.Count());
        Assert.Contains(("apps/v1", "Deployment"), KubernetesSchemaValidator.Shared.Kinds);
        Assert.Contains(("autoscaling/v2", "HorizontalPodAutoscaler"), KubernetesSchemaValidator.Shared.Kinds);
    }

    [Fact]
    public void Derive_Deployment_PinsApiVersionAndKindAndIsStrict()
    {
        var schema = Deployment;

        Assert.Equal("apps/v1", schema["properties"]!["apiVersion"]!["enum"]![0]!.GetValue<string>());
        Assert.Equal("Deployment", schema["properties"]!["kind"]!["enum"]![0]!.GetValue<string>());
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
        Assert.False(schema["properties"]!["spec"]!["properties"]!["template"]!["additionalProperties"]!.GetValue<bool>());
        Assert.DoesNotContain("$ref", schema.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Derive_Container_RequiredNameIsNotNullableOptionalImageIs()
    {
        var container = Deployment["properties"]!["spec"]!["properties"]!["template"]!["properties"]!["spec"]!["properties"]!["containers"]!["items"]!;

        Assert.Equal("string", container["properties"]!["name"]!["type"]!.GetValue<string>());
        Assert.Equal(["string", "null"], container["properties"]!["image"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public void Derive_IntOrStringAndQuantity_AreEitherOfTwoTypes()
    {
        var spec = Deployment["properties"]!["spec"]!["properties"]!["template"]!["properties"]!["spec"]!["properties"]!;
        var container = spec["containers"]!["items"]!["properties"]!;
        var port = container["livenessProbe"]!["properties"]!["httpGet"]!["properties"]!["port"]!;
        var cpu = container["resources"]!["properties"]!["limits"]!["additionalProperties"]!;

        Assert.Equal("""[{"type":["string","null"]},{"type":["integer","null"]}]""", port["oneOf"]!.ToJsonString());
        Assert.Equal("""[{"type":["string","null"]},{"type":["number","null"]}]""", cpu["oneOf"]!.ToJsonString());
        Assert.Null(cpu["type"]);
    }

    [Fact]
    public void Derive_CustomResourceDefinition_KeepsTheRecursiveTypeAsALocalReference()
    {
        const string props = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps";
        var schema = _deriver.Value.Derive("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition", "apiextensions.k8s.io/v1", "CustomResourceDefinition", ImmutableArray.Create(props));

        var openApi = schema["properties"]!["spec"]!["properties"]!["versions"]!["items"]!["properties"]!["schema"]!["properties"]!["openAPIV3Schema"]!;
        Assert.Equal("#/definitions/" + props, openApi["properties"]!["allOf"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/definitions/" + props, schema["definitions"]![props]!["properties"]!["allOf"]!["items"]!["$ref"]!.GetValue<string>());
    }
}
