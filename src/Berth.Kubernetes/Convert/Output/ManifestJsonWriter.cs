using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Berth.Kubernetes.Convert.Output;

/// <summary>
/// Writes the emitted kinds as JSON with plain generated code (<c>ManifestJsonWriter.Generated.cs</c>, one method per
/// model type the kinds reach). System.Text.Json, even source-generated, builds metadata on first use (a context's
/// property names for every reachable type, a <c>JsonTypeInfo</c> per type, attribute reflection for polymorphism),
/// which was most of what a small <c>berth convert</c> added over <c>berth config</c>; this writes the same bytes
/// without any of it.
/// </summary>
internal static partial class ManifestJsonWriter
{
    /// <summary>
    /// An <c>object</c>-typed model property (<c>managedFields[].fieldsV1</c>, some alpha kinds' markers). The converter
    /// never sets one; JSON values are written as they are, anything else is refused rather than guessed.
    /// </summary>
    private static void WriteUntyped(Utf8JsonWriter writer, object value)
    {
        switch (value)
        {
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case JsonNode node:
                node.WriteTo(writer);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            default:
                throw new NotSupportedException($"The manifest writer does not write untyped values of {value.GetType().Name}.");
        }
    }

    /// <summary>
    /// An int-or-string as the client's <c>IntOrStringJsonConverter</c> writes it: a number when the text parses as a
    /// 64-bit integer, otherwise the text. Written here rather than through the client's converter: constructing a
    /// System.Text.Json converter looks up its assembly through the reflection runtime, a start-up cost for every
    /// <c>convert</c>. <c>ManifestJsonTests</c> holds both to byte equality with the client's serialiser.
    /// </summary>
    private static void WriteIntOrString(Utf8JsonWriter writer, IntOrString value)
    {
        var text = value.Value;
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.CurrentCulture, out var number))
        {
            writer.WriteNumberValue(number);
            return;
        }

        writer.WriteStringValue(text);
    }

    /// <summary>A quantity as the client's <c>ResourceQuantityJsonConverter</c> writes it: its canonical text.</summary>
    private static void WriteResourceQuantity(Utf8JsonWriter writer, ResourceQuantity value) => writer.WriteStringValue(value.ToString());
}
