using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>
/// Reads Kubernetes manifests written as YAML (multi-document) or JSON (an object, a List or an array) into plain
/// JSON objects, resolving plain YAML scalars the way Kubernetes' YAML 1.1/JSON decoder does (numbers, booleans, null)
/// and keeping quoted scalars as strings.
/// </summary>
internal static class YamlJson
{
    public static IReadOnlyList<JsonObject> ReadManifests(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            return Flatten(JsonNode.Parse(text));
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var result = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            result.AddRange(Flatten(Convert(document.RootNode)));
        }

        return result;
    }

    /// <summary>Splits a List (kind: List, items) or an array into its objects; drops empty documents.</summary>
    public static IReadOnlyList<JsonObject> Flatten(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return [.. array.SelectMany(Flatten)];
            case JsonObject list when list["kind"]?.GetValue<string>() == "List" && list["items"] is JsonArray items:
                return [.. items.SelectMany(Flatten)];
            case JsonObject obj when obj.Count > 0:
                return [obj];
            default:
                return [];
        }
    }

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
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new NotSupportedException(node.GetType().Name);
        }
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
