using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>Validation of a stored stack before it is written: every error at once.</summary>
public static class StackValidator
{
    public static ImmutableArray<FieldError> Validate(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return [];
    }
}
