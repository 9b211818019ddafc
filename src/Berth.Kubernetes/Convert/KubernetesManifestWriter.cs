using System.Text;
using System.Text.Json;
using Berth.Kubernetes.Convert.Output;
using k8s;
using k8s.Models;

namespace Berth.Kubernetes.Convert;

/// <summary>Prints a plan as manifests: one multi-document YAML, one <c>v1 List</c> JSON, or one file per object.</summary>
public static class KubernetesManifestWriter
{
    public static string ToYaml(KubernetesPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var builder = new StringBuilder();
        foreach (var obj in ObjectOrder.Sort(plan.Objects))
        {
            builder.Append("---\n");
            JsonYamlWriter.Append(builder, ManifestJson.SerializeUtf8(obj));
        }

        return builder.ToString();
    }

    public static string ToJson(KubernetesPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", "v1");
            writer.WriteString("kind", "List");
            writer.WriteStartArray("items");
            foreach (var obj in ObjectOrder.Sort(plan.Objects))
            {
                using var document = JsonDocument.Parse(ManifestJson.Serialize(obj));
                document.RootElement.WriteTo(writer);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";
    }

    /// <summary>One file per object, named <c>&lt;name&gt;-&lt;kind&gt;.yaml</c> (or <c>.json</c>) like kompose, in apply order.</summary>
    public static IReadOnlyList<(string FileName, string Content)> ToFiles(KubernetesPlan plan, string format)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var json = string.Equals(format, "json", StringComparison.OrdinalIgnoreCase);
        var files = new List<(string FileName, string Content)>();
        foreach (var obj in ObjectOrder.Sort(plan.Objects))
        {
            var name = $"{obj.Metadata.Name}-{obj.Kind.ToLowerInvariant()}.{(json ? "json" : "yaml")}";
            files.Add((name, json ? Indent(ManifestJson.Serialize(obj)) : Yaml(obj)));
        }

        return files;
    }

    private static string Yaml(IKubernetesObject<V1ObjectMeta> obj) => JsonYamlWriter.Write(ManifestJson.Serialize(obj));

    private static string Indent(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            document.RootElement.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
