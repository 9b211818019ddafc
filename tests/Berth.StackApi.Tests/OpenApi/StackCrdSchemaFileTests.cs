using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Kubernetes.Install;
using Berth.Testing;

namespace Berth.StackApi.Tests.OpenApi;

/// <summary>
/// The CRD schemas the CLI embeds (src/Berth.Kubernetes/Install/stack-crd-schemas.json) are exactly what
/// <see cref="StackSchemas.CustomResourceSchema"/> generates from Berth's types: a change to the types fails here until
/// the file is regenerated (BERTH_UPDATE_GOLDEN=1).
/// </summary>
public sealed class StackCrdSchemaFileTests
{
    [Fact]
    public void EmbeddedFile_IsTheGeneratedSchemaOfEveryServedVersion()
    {
        var generated = new JsonObject();
        foreach (var version in StackApiGroup.Versions)
        {
            generated[version] = StackSchemas.CustomResourceSchema(version);
        }

        var text = generated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        var path = Path.Combine(RepositoryRoot.Path, "src", "Berth.Kubernetes", "Install", "stack-crd-schemas.json");
        GoldenFiles.Verify("stack-crd-schemas", new GoldenFile(path, text));

        // What the CLI loads from its assembly is that file.
        var embedded = StackCrdSchemas.Load();
        Assert.Equal([.. StackApiGroup.Versions.Order(StringComparer.Ordinal)], embedded.Keys.Order(StringComparer.Ordinal));
        Assert.All(StackApiGroup.Versions, v => Assert.True(JsonNode.DeepEquals(generated[v], embedded[v]), v));
    }

    [Fact]
    public void CrdSchema_HasNoGroupVersionKindAndOnlyTypedMetadata()
    {
        var schema = StackSchemas.CustomResourceSchema("v1beta2");
        Assert.Null(schema["x-kubernetes-group-version-kind"]);
        Assert.Equal("""{"type":"object"}""", schema["properties"]!["metadata"]!.ToJsonString());
        Assert.Equal("object", (string?)schema["properties"]!["spec"]!["type"]);
    }
}
