using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Output;

/// <summary>
/// Serialises the objects the converter emits. The client's own context (<c>KubernetesJson</c>) holds metadata for
/// every Kubernetes type and configures it on first use, which was half of a small <c>berth convert</c>'s run; this
/// context only knows the emitted kinds and writes them through source-generated fast-path code, with the client's
/// settings (camel case, nulls omitted), so the JSON is byte-for-byte the same.
/// </summary>
internal static class ManifestJson
{
    /// <summary>
    /// System.Text.Json reads the <c>[JsonDerivedType]</c> attributes of every type it builds metadata for
    /// (<c>JsonPolymorphismOptions.CreateFromAttributeDeclarations</c>); reflection returns them as a
    /// <c>JsonDerivedTypeAttribute[]</c>, an array type Native AOT builds at run time unless the program constructs one
    /// itself (about half a millisecond of a small <c>berth convert</c>). This one makes it a compiled type.
    /// </summary>
    private static readonly JsonDerivedTypeAttribute[] CompiledAttributeArray = Array.Empty<JsonDerivedTypeAttribute>();

    public static string Serialize(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        GC.KeepAlive(CompiledAttributeArray);
        return ManifestJsonContext.Default.GetTypeInfo(obj.GetType()) is { } info ? JsonSerializer.Serialize(obj, info) : KubernetesJson.Serialize(obj);
    }

    /// <summary>Whether objects of <paramref name="type"/> are written by this context's generated code.</summary>
    public static bool Covers(Type type) => ManifestJsonContext.Default.GetTypeInfo(type) is not null;
}

[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Serialization,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(V1Namespace))]
[JsonSerializable(typeof(V1Secret))]
[JsonSerializable(typeof(V1ConfigMap))]
[JsonSerializable(typeof(V1PersistentVolumeClaim))]
[JsonSerializable(typeof(V1Service))]
[JsonSerializable(typeof(V1Deployment))]
[JsonSerializable(typeof(V1StatefulSet))]
[JsonSerializable(typeof(V1DaemonSet))]
[JsonSerializable(typeof(V1Job))]
[JsonSerializable(typeof(V1Ingress))]
[JsonSerializable(typeof(V1NetworkPolicy))]
[JsonSerializable(typeof(V2HorizontalPodAutoscaler))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
