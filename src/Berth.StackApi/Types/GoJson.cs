using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.StackApi.Types;

/// <summary>
/// Decodes JSON into a <see cref="Shape"/> and writes it back the way Go's encoding/json writes the struct
/// (field order, omitempty, map keys sorted, null elements as zero values), so a stored stack reads back exactly as
/// compose-on-kubernetes served it. Field names are case-sensitive, as in the API server's strict JSON decoder.
/// Unknown fields are collected (dropped) and wrong types reported, never thrown.
/// </summary>
internal sealed class GoJson
{
    private readonly List<string> _unknown = [];
    private readonly List<FieldError> _errors = [];

    public IReadOnlyList<string> Unknown => _unknown;

    public IReadOnlyList<FieldError> Errors => _errors;

    /// <summary>Normalises an object body at <paramref name="path"/>; a null input is the zero struct.</summary>
    public JsonObject Object(ObjectShape shape, JsonNode? input, string path)
    {
        var output = new JsonObject();
        if (input is not null and not JsonObject)
        {
            TypeError(path, input, "object");
            input = null;
        }

        var source = (JsonObject?)input;
        if (source is not null)
        {
            foreach (var (key, _) in source)
            {
                if (shape.Field(key) is null)
                {
                    _unknown.Add(Join(path, key));
                }
            }
        }

        foreach (var field in shape.Fields)
        {
            JsonNode? value = null;
            var present = source is not null && source.TryGetPropertyValue(field.Name, out value);
            var fieldPath = Join(path, field.Name);
            switch (field.Emit)
            {
                case Emit.Pointer when present && value is not null:
                    output[field.Name] = Value(field.Shape, value, fieldPath);
                    break;
                case Emit.OmitEmpty when present && value is not null:
                    var normalised = Value(field.Shape, value, fieldPath);
                    if (!IsEmpty(normalised))
                    {
                        output[field.Name] = normalised;
                    }

                    break;
                case Emit.Always:
                    output[field.Name] = Value(field.Shape, present ? value : null, fieldPath) ?? ZeroScalar(field.Shape);
                    break;
                case Emit.Nullable:
                    output[field.Name] = present && value is not null ? Value(field.Shape, value, fieldPath) : null;
                    break;
            }
        }

        return output;
    }

    /// <summary>A value of a shape; null input gives the Go zero value (null for slices and maps).</summary>
    public JsonNode? Value(Shape shape, JsonNode? input, string path)
    {
        switch (shape)
        {
            case ObjectShape o:
                return Object(o, input, path);
            case ArrayShape a:
                if (input is null)
                {
                    return null;
                }

                if (input is not JsonArray array)
                {
                    TypeError(path, input, "array");
                    return null;
                }

                var items = new JsonArray();
                for (var i = 0; i < array.Count; i++)
                {
                    items.Add(Value(a.Items, array[i], $"{path}[{i}]") ?? ZeroScalar(a.Items));
                }

                return items;
            case MapShape m:
                if (input is null)
                {
                    return null;
                }

                if (input is not JsonObject map)
                {
                    TypeError(path, input, "object");
                    return null;
                }

                var entries = new JsonObject();
                foreach (var (key, value) in map.OrderBy(e => e.Key, StringComparer.Ordinal))
                {
                    entries[key] = value is null && m.NullableValues ? null : Value(m.Values, value, Join(path, key)) ?? ZeroScalar(m.Values);
                }

                return entries;
            case ScalarShape s:
                return Scalar(s.Type, input, path);
            default:
                throw new InvalidOperationException($"unknown shape {shape.GetType().Name}");
        }
    }

    private JsonNode? Scalar(ScalarType type, JsonNode? input, string path)
    {
        if (input is null)
        {
            return ZeroScalar(type);
        }

        var kind = input.GetValueKind();
        switch (type)
        {
            case ScalarType.String when kind == JsonValueKind.String:
                return JsonValue.Create(input.GetValue<string>());
            case ScalarType.Bool when kind is JsonValueKind.True or JsonValueKind.False:
                return JsonValue.Create(kind == JsonValueKind.True);
            case ScalarType.UInt64 when kind == JsonValueKind.Number && TryUInt64(input, out var u):
                // Held as long when it fits, so readers can use GetValue<long>() for every integer.
                return u <= long.MaxValue ? JsonValue.Create((long)u) : JsonValue.Create(u);
            case ScalarType.UInt32 when kind == JsonValueKind.Number && TryInt64(input, out var l) && l is >= 0 and <= uint.MaxValue:
                return JsonValue.Create(l);
            case ScalarType.Int32 when kind == JsonValueKind.Number && TryInt64(input, out var i) && i is >= int.MinValue and <= int.MaxValue:
                return JsonValue.Create(i);
            case ScalarType.Int64 or ScalarType.Duration when kind == JsonValueKind.Number && TryInt64(input, out var n):
                return JsonValue.Create(n);
            default:
                TypeError(path, input, Describe(type));
                return ZeroScalar(type);
        }
    }

    public static JsonNode? ZeroScalar(Shape shape) => shape is ScalarShape s ? ZeroScalar(s.Type) : null;

    private static JsonNode ZeroScalar(ScalarType type) => type switch
    {
        ScalarType.String => JsonValue.Create(string.Empty),
        ScalarType.Bool => JsonValue.Create(false),
        _ => JsonValue.Create(0L),
    };

    public static bool IsEmpty(JsonNode? node) => node switch
    {
        null => true,
        JsonArray a => a.Count == 0,
        JsonObject o => o.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length == 0,
            JsonValueKind.False => true,
            JsonValueKind.Number => v.ToJsonString() is "0",
            _ => false,
        },
        _ => false,
    };

    internal static bool TryInt64(JsonNode node, out long value)
    {
        if (node is JsonValue v && v.TryGetValue(out JsonElement e))
        {
            return e.TryGetInt64(out value);
        }

        return long.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryUInt64(JsonNode node, out ulong value)
    {
        if (node is JsonValue v && v.TryGetValue(out JsonElement e))
        {
            return e.TryGetUInt64(out value);
        }

        return ulong.TryParse(node.ToJsonString(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private void TypeError(string path, JsonNode input, string expected)
        => _errors.Add(new FieldError(
            FieldErrorTypes.TypeInvalid,
            path,
            $"Invalid value: {input.ToJsonString()}: must be {expected}"));

    private static string Describe(ScalarType type) => type switch
    {
        ScalarType.String => "a string",
        ScalarType.Bool => "a boolean",
        ScalarType.Int32 => "a 32-bit integer",
        ScalarType.UInt32 => "an unsigned 32-bit integer",
        ScalarType.UInt64 => "an unsigned integer",
        ScalarType.Duration => "an integer (nanoseconds)",
        _ => "an integer",
    };

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
