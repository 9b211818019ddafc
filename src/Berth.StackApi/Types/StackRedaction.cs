using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>
/// A copy of a stack (any served version or the storage form) safe for logs, events and error messages:
/// environment values, secret/config contents and Compose text (which may hold either) replaced, also inside the
/// last-applied-configuration annotation kubectl keeps a whole copy of the object in.
/// </summary>
public static class StackRedaction
{
    public const string Redacted = "<redacted>";

    private const string LastApplied = "kubectl.kubernetes.io/last-applied-configuration";

    public static JsonObject Redact(JsonObject encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var copy = (JsonObject)encoded.DeepClone();
        Walk(copy);
        return copy;
    }

    private static void Walk(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(e => e.Key).ToList())
                {
                    var value = obj[key];
                    switch (key)
                    {
                        case "environment" when value is JsonObject env:
                            foreach (var name in env.Select(e => e.Key).ToList())
                            {
                                if (env[name] is not null)
                                {
                                    env[name] = Redacted;
                                }
                            }

                            break;
                        case "environment" when value is JsonArray list:
                            // Compose's list form NAME=value.
                            for (var i = 0; i < list.Count; i++)
                            {
                                if (list[i] is JsonValue item && item.GetValueKind() == JsonValueKind.String && item.GetValue<string>().IndexOf('=', StringComparison.Ordinal) is var eq and >= 0)
                                {
                                    list[i] = item.GetValue<string>()[..(eq + 1)] + Redacted;
                                }
                            }

                            break;
                        case "composeFile" or "content" when value is JsonValue text && text.GetValueKind() == JsonValueKind.String:
                            obj[key] = Redacted;
                            break;
                        case LastApplied when value is JsonValue annotation && annotation.GetValueKind() == JsonValueKind.String:
                            obj[key] = RedactJsonText(annotation.GetValue<string>());
                            break;
                        default:
                            Walk(value);
                            break;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    Walk(item);
                }

                break;
        }
    }

    private static string RedactJsonText(string text)
    {
        try
        {
            var parsed = JsonNode.Parse(text);
            Walk(parsed);
            return parsed?.ToJsonString() ?? Redacted;
        }
        catch (JsonException)
        {
            return Redacted;
        }
    }
}
