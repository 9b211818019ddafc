using System.Text.Json.Serialization;
using k8s.Models;

namespace Berth.Kubernetes.Tests.Convert;

/// <summary>
/// What <c>berth convert</c> wrote before its generated writer: System.Text.Json's source-generated serialiser for the
/// emitted kinds with the client's settings. Kept here as the reference the generated writer must match byte for byte,
/// including on values the golden cases never hold (timestamps, which the client's own <c>KubernetesJson</c> formats
/// with a converter of its own).
/// </summary>
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
internal sealed partial class ReferenceManifestJsonContext : JsonSerializerContext;
