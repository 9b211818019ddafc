using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.Kubernetes.Install;

/// <summary>
/// The CRD's openAPIV3Schema per served version, generated from Berth's own Stack types
/// (Berth.StackApi's <c>StackSchemas.CustomResourceSchema</c>) into <c>stack-crd-schemas.json</c>, embedded here so the
/// CLI does not reference Berth.StackApi (etcd, gRPC). A test in Berth.StackApi.Tests keeps the file equal to the
/// generator's output (BERTH_UPDATE_GOLDEN=1 rewrites it).
/// </summary>
public static class StackCrdSchemas
{
    public const string ResourceName = "Berth.Kubernetes.Install.stack-crd-schemas.json";

    public static ImmutableDictionary<string, JsonObject> Load()
    {
        using var stream = typeof(StackCrdSchemas).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        var root = JsonNode.Parse(stream) as JsonObject ?? throw new InvalidOperationException($"{ResourceName} is not a JSON object");
        return root.ToImmutableDictionary(p => p.Key, p => (JsonObject)p.Value!.DeepClone(), StringComparer.Ordinal);
    }
}
