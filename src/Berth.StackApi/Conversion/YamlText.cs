using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>
/// Block YAML for a JSON tree: strings (and keys) double-quoted with JSON escapes, which YAML reads the same, and
/// $ doubled so Compose interpolation gives the value back.
/// </summary>
internal static class YamlText
{
    private static readonly JsonSerializerOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(StringBuilder text, JsonNode? node, int indent)
    {
        var pad = new string(' ', indent);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    text.Append(pad).Append(Quote(key, escapeDollar: false)).Append(':');
                    WriteNested(text, value, indent);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    text.Append(pad).Append('-');
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        text.Append('\n');
                        Write(text, item, indent + 2);
                    }
                    else
                    {
                        text.Append(' ').Append(Scalar(item)).Append('\n');
                    }
                }

                break;
            default:
                text.Append(pad).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteNested(StringBuilder text, JsonNode? value, int indent)
    {
        if (value is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            text.Append('\n');
            Write(text, value, indent + 2);
        }
        else
        {
            text.Append(' ').Append(Scalar(value)).Append('\n');
        }
    }

    private static string Scalar(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => Quote(v.GetValue<string>(), escapeDollar: true),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => v.ToJsonString(),
        },
        _ => node.ToJsonString(),
    };

    private static string Quote(string value, bool escapeDollar)
        => JsonSerializer.Serialize(escapeDollar ? value.Replace("$", "$$", StringComparison.Ordinal) : value, Quoting);
}
