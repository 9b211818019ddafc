using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Testing;

/// <summary>
/// Reads Kubernetes manifests and values files written as YAML (multi-document) or JSON into plain JSON, resolving
/// plain YAML scalars the way Kubernetes' YAML/JSON decoder does (numbers, booleans, null; quoted scalars stay
/// strings), and prints objects canonically (keys sorted) so two renderings compare as structures.
/// </summary>
public static class YamlJson
{
    /// <summary>Every object of a YAML stream or JSON text (an object, a List or an array), Lists split into their items.</summary>
    public static IReadOnlyList<JsonObject> ReadManifests(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            return Flatten(JsonNode.Parse(text));
        }

        return [.. Documents(text).SelectMany(d => Flatten(Convert(d.RootNode)))];
    }

    /// <summary>The non-empty objects of a YAML stream, one a document (Lists are not split).</summary>
    public static IReadOnlyList<JsonObject> ReadObjects(string text)
        => [.. Documents(text).Select(d => Convert(d.RootNode)).OfType<JsonObject>().Where(o => o.Count > 0)];

    /// <summary>The first document of a YAML stream; null for an empty stream.</summary>
    public static JsonNode? ReadDocument(string text) => Documents(text) is [var first, ..] ? Convert(first.RootNode) : null;

    /// <summary>Splits a List (kind: List, items) or an array into its objects; drops empty documents.</summary>
    public static IReadOnlyList<JsonObject> Flatten(JsonNode? node) => node switch
    {
        JsonArray array => [.. array.SelectMany(Flatten)],
        JsonObject list when list["kind"]?.GetValue<string>() == "List" && list["items"] is JsonArray items => [.. items.SelectMany(Flatten)],
        JsonObject obj when obj.Count > 0 => [obj],
        _ => [],
    };

    /// <summary>The objects as sorted canonical JSON texts: equal lists mean the same set of objects.</summary>
    public static IReadOnlyList<string> CanonicalSet(IEnumerable<JsonObject> objects)
        => [.. objects.Select(o => Canonical(o)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true })).Order(StringComparer.Ordinal)];

    /// <summary>A copy with every object's keys in ordinal order.</summary>
    public static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(Canonical)]),
        _ => node?.DeepClone(),
    };

    public static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = Convert(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                return new JsonArray([.. sequence.Children.Select(Convert)]);
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new NotSupportedException(node.GetType().Name);
        }
    }

    private static IList<YamlDocument> Documents(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents;
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (value.StartsWith("0o", StringComparison.Ordinal) && long.TryParse(value.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return JsonValue.Create(System.Convert.ToInt64(value[2..], 8));
        }

        if (value.Any(char.IsDigit) && !value.Contains(':', StringComparison.Ordinal) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }
}
