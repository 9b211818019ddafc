using System.Text;
using System.Text.Json;
using Berth.Compose.Yaml;

namespace Berth.Compose.Output;

/// <summary>Writes a node tree as indented JSON, in the same key order as <see cref="CanonicalYamlWriter"/>.</summary>
public static class CanonicalJsonWriter
{
    public static string Write(ComposeNode root)
    {
        using var stream = new MemoryStream();
        Write(root, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(ComposeNode root, Stream output)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NewLine = "\n" });
        Emit(writer, root, topLevel: true);
        writer.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void Emit(Utf8JsonWriter writer, ComposeNode node, bool topLevel)
    {
        switch (node)
        {
            case MappingNode map:
                writer.WriteStartObject();
                foreach (var entry in CanonicalOrder.Entries(map, topLevel))
                {
                    writer.WritePropertyName(entry.Name);
                    Emit(writer, entry.Value, topLevel: false);
                }

                writer.WriteEndObject();
                break;
            case SequenceNode seq:
                writer.WriteStartArray();
                foreach (var item in seq.Items)
                {
                    Emit(writer, item, topLevel: false);
                }

                writer.WriteEndArray();
                break;
            case ScalarNode scalar:
                EmitScalar(writer, scalar);
                break;
            default:
                throw new InvalidOperationException($"unknown node type {node.GetType().Name}");
        }
    }

    private static void EmitScalar(Utf8JsonWriter writer, ScalarNode scalar)
    {
        switch (scalar.Kind)
        {
            case ScalarKind.Null:
                writer.WriteNullValue();
                break;
            case ScalarKind.Bool:
                writer.WriteBooleanValue(scalar.Value == "true");
                break;
            case ScalarKind.Int:
                writer.WriteRawValue(scalar.Value);
                break;
            case ScalarKind.Float when double.TryParse(scalar.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) && double.IsFinite(d):
                writer.WriteNumberValue(d);
                break;
            default:
                writer.WriteStringValue(scalar.Value);
                break;
        }
    }
}
