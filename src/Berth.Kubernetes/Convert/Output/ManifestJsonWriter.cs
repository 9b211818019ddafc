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
    /// <summary>Passed to the client's value converters (quantities, int-or-string), which only write to the writer.</summary>
    private static readonly JsonSerializerOptions ConverterOptions = new();

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

    /// <summary>The client's own converters for the two value types it writes specially, so their JSON stays the client's.</summary>
    private static readonly IntOrStringJsonConverter IntOrStringConverter = new();

    private static readonly ResourceQuantityJsonConverter ResourceQuantityConverter = new();
}
