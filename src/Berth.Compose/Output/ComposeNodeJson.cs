using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Compose.Yaml;

namespace Berth.Compose.Output;

/// <summary>Converts node trees to System.Text.Json nodes (for schema validation and JSON-based comparisons).</summary>
public static class ComposeNodeJson
{
    public static JsonNode? ToJsonNode(ComposeNode node) => node switch
    {
        MappingNode map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Name, ToJsonNode(e.Value)))),
        SequenceNode seq => new JsonArray([.. seq.Items.Select(ToJsonNode)]),
        ScalarNode { Kind: ScalarKind.Null } => null,
        ScalarNode { Kind: ScalarKind.Bool } s => JsonValue.Create(s.Value == "true"),
        ScalarNode { Kind: ScalarKind.Int } s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        ScalarNode { Kind: ScalarKind.Float } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => JsonValue.Create(d),
        ScalarNode s => JsonValue.Create(s.Value),
        _ => throw new InvalidOperationException($"unknown node type {node.GetType().Name}"),
    };
}
