using System.Buffers;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Output;

/// <summary>
/// Serialises the objects the converter emits. The emitted kinds are written by <see cref="ManifestJsonWriter"/>'s
/// generated code with the client's settings (camel-case names from the models, nulls omitted), byte-for-byte what the
/// client writes, without System.Text.Json's metadata; any other kind goes through the client's <c>KubernetesJson</c>.
/// </summary>
internal static class ManifestJson
{
    public static string Serialize(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (!ManifestJsonWriter.TryWrite(writer, obj))
            {
                return KubernetesJson.Serialize(obj);
            }
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The same JSON as UTF-8, for the YAML writer to parse without a round trip through a string (whose
    /// transcoding took a second pooled buffer per object, and returning it started the shared pool's per-core
    /// machinery at start-up).
    /// </summary>
    public static ReadOnlyMemory<byte> SerializeUtf8(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            if (!ManifestJsonWriter.TryWrite(writer, obj))
            {
                return Encoding.UTF8.GetBytes(KubernetesJson.Serialize(obj));
            }
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Whether objects of <paramref name="type"/> are written by the generated code.</summary>
    public static bool Covers(Type type) => ManifestJsonWriter.Covers(type);
}
