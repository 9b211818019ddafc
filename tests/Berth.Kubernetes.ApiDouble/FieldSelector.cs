using System.Text.Json.Nodes;

namespace Berth.Kubernetes.ApiDouble;

/// <summary>
/// A parsed fieldSelector (path=value, path==value, path!=value). Any dotted path is looked up in the object,
/// which covers metadata.name, metadata.namespace, spec.nodeName, status.phase, involvedObject.name and the like.
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string[] Path, string Value, bool Equal)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var term in text.Split(','))
        {
            var notEqual = term.IndexOf("!=", StringComparison.Ordinal);
            var doubleEqual = term.IndexOf("==", StringComparison.Ordinal);
            var equal = term.IndexOf('=', StringComparison.Ordinal);
            if (notEqual > 0)
            {
                selector._terms.Add((term[..notEqual].Trim().Split('.'), term[(notEqual + 2)..].Trim(), false));
            }
            else if (doubleEqual > 0)
            {
                selector._terms.Add((term[..doubleEqual].Trim().Split('.'), term[(doubleEqual + 2)..].Trim(), true));
            }
            else if (equal > 0)
            {
                selector._terms.Add((term[..equal].Trim().Split('.'), term[(equal + 1)..].Trim(), true));
            }
            else
            {
                throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            }
        }

        return selector;
    }

    public bool Matches(JsonObject obj) => _terms.All(term => (Value(obj, term.Path) == term.Value) == term.Equal);

    private static string Value(JsonObject obj, string[] path)
    {
        JsonNode? current = obj;
        foreach (var segment in path)
        {
            current = current is JsonObject map ? map[segment] : null;
        }

        return current?.ToString() ?? "";
    }
}
