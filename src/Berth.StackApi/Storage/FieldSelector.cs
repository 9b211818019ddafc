using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi.Storage;

/// <summary>
/// A field selector over the only fields a custom resource supports, metadata.name and metadata.namespace
/// (k8s.io/apimachinery pkg/runtime/conversion.go DefaultMetaV1FieldSelectorConversion): <c>f=v</c>, <c>f==v</c>,
/// <c>f!=v</c>, comma-separated (pkg/fields/selector.go).
/// </summary>
public sealed class FieldSelector
{
    private readonly ImmutableArray<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(ImmutableArray<(string Field, bool Equal, string Value)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public bool IsEmpty => _terms.IsEmpty;

    public static FieldSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = ImmutableArray.CreateBuilder<(string, bool, string)>();
        foreach (var part in text.Split(','))
        {
            string field;
            string value;
            bool equal;
            var notEqual = part.IndexOf("!=", StringComparison.Ordinal);
            var doubleEqual = part.IndexOf("==", StringComparison.Ordinal);
            var single = part.IndexOf('=', StringComparison.Ordinal);
            if (notEqual >= 0)
            {
                (field, value, equal) = (part[..notEqual], part[(notEqual + 2)..], false);
            }
            else if (doubleEqual >= 0)
            {
                (field, value, equal) = (part[..doubleEqual], part[(doubleEqual + 2)..], true);
            }
            else if (single >= 0)
            {
                (field, value, equal) = (part[..single], part[(single + 1)..], true);
            }
            else
            {
                throw new StoreException(StoreErrorKind.BadRequest, $"invalid selector: '{text}'; can't understand '{part}'");
            }

            field = field.Trim();
            if (field is not ("metadata.name" or "metadata.namespace"))
            {
                throw new StoreException(StoreErrorKind.BadRequest, $"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"");
            }

            terms.Add((field, equal, value.Trim()));
        }

        return new FieldSelector(terms.ToImmutable());
    }

    public bool Matches(JsonObject obj)
    {
        if (IsEmpty)
        {
            return true;
        }

        var metadata = obj["metadata"] as JsonObject;
        foreach (var (field, equal, value) in _terms)
        {
            var actual = (field == "metadata.name" ? metadata?["name"] : metadata?["namespace"])?.GetValue<string>() ?? string.Empty;
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }
}
