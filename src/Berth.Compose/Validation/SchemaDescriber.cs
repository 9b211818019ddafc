using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Compose.Validation;

/// <summary>
/// Turns parts of the schema into the words messages use: <c>{"type": ["string", "number"]}</c> becomes
/// "a string or a number", a oneOf of a string and a list of strings becomes "a string or a list of strings".
/// </summary>
internal static class SchemaDescriber
{
    /// <summary>Describes every value shape <paramref name="schemaNodes"/> accept, in schema order, without repeats.</summary>
    public static List<string> Shapes(ComposeSchema schema, IEnumerable<JsonNode?> schemaNodes)
    {
        var shapes = new List<string>();
        foreach (var node in schemaNodes)
        {
            AddShapes(schema, node, shapes, depth: 0);
        }

        // "a number" already covers integers; saying both reads as if they were different things.
        if (shapes.Contains("a number"))
        {
            shapes.Remove("an integer");
        }

        return shapes;
    }

    /// <summary>Describes what the <c>type</c> keyword of <paramref name="schemaNode"/> accepts.</summary>
    public static List<string> Types(ComposeSchema schema, JsonNode? schemaNode)
    {
        var shapes = new List<string>();
        if (schema.Deref(schemaNode) is JsonObject obj)
        {
            AddTypes(schema, obj, shapes);
        }

        if (shapes.Contains("a number"))
        {
            shapes.Remove("an integer");
        }

        return shapes;
    }

    /// <summary>The JSON types <paramref name="schemaNode"/>'s <c>type</c> keyword names ("string", "integer", ...).</summary>
    public static IEnumerable<string> TypeNames(JsonNode? schemaNode) => TypeNamesOf((schemaNode as JsonObject)?["type"]);

    /// <summary>The JSON types a <c>type</c> keyword value names.</summary>
    public static IEnumerable<string> TypeNamesOf(JsonNode? type)
    {
        if (type is JsonValue single && single.TryGetValue<string>(out var name))
        {
            yield return name;
        }
        else if (type is JsonArray many)
        {
            foreach (var item in many)
            {
                if (item is JsonValue v && v.TryGetValue<string>(out var n))
                {
                    yield return n;
                }
            }
        }
    }

    /// <summary>"a, b or c".</summary>
    public static string JoinOr(IReadOnlyList<string> items) => Join(items, "or");

    /// <summary>"a, b and c".</summary>
    public static string JoinAnd(IReadOnlyList<string> items) => Join(items, "and");

    /// <summary>A schema value as messages quote it: strings in single quotes, other values as JSON.</summary>
    public static string Quote(JsonNode? value) => value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => $"'{v.GetValue<string>()}'",
        _ => value.ToJsonString(),
    };

    private static string Join(IReadOnlyList<string> items, string conjunction) => items.Count switch
    {
        0 => string.Empty,
        1 => items[0],
        _ => $"{string.Join(", ", items.Take(items.Count - 1))} {conjunction} {items[^1]}",
    };

    private static void AddShapes(ComposeSchema schema, JsonNode? node, List<string> shapes, int depth)
    {
        if (depth > 8 || schema.Deref(node) is not JsonObject obj)
        {
            return;
        }

        if (obj["enum"] is JsonArray values)
        {
            AddDistinct(shapes, values.Select(Quote));
            return;
        }

        if (obj.ContainsKey("type"))
        {
            AddTypes(schema, obj, shapes);
            return;
        }

        foreach (var keyword in (string[])["oneOf", "anyOf"])
        {
            if (obj[keyword] is JsonArray branches)
            {
                foreach (var branch in branches)
                {
                    AddShapes(schema, branch, shapes, depth + 1);
                }
            }
        }
    }

    private static void AddTypes(ComposeSchema schema, JsonObject obj, List<string> shapes)
    {
        foreach (var type in TypeNames(obj))
        {
            var shape = type switch
            {
                "object" => "a mapping" + RequiredSuffix(obj),
                "array" => "a list" + ItemsSuffix(schema, obj),
                "string" => "a string",
                "number" => "a number",
                "integer" => "an integer",
                "boolean" => "a boolean",
                "null" => "null",
                _ => type,
            };
            AddDistinct(shapes, [shape]);
        }
    }

    private static string RequiredSuffix(JsonObject obj)
    {
        if (obj["required"] is not JsonArray { Count: > 0 } required)
        {
            return string.Empty;
        }

        return " with " + JoinAnd([.. required.Select(Quote)]);
    }

    private static string ItemsSuffix(ComposeSchema schema, JsonObject obj)
    {
        if (schema.Deref(obj["items"]) is not JsonObject items)
        {
            return string.Empty;
        }

        var types = TypeNames(items).ToList();
        return types switch
        {
            ["string"] => " of strings",
            ["object"] => " of mappings",
            _ => string.Empty,
        };
    }

    private static void AddDistinct(List<string> shapes, IEnumerable<string> more)
    {
        foreach (var shape in more)
        {
            if (!shapes.Contains(shape))
            {
                shapes.Add(shape);
            }
        }
    }
}
