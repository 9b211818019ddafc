using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace Berth.StackApi;

/// <summary>
/// The composeFile path (v1beta1's spec.composeFile and the composeFile subresource): Compose text loaded by Berth's
/// own loader (the whole Compose Specification); the structured services are filled from the loaded project.
/// </summary>
public static class StackComposeFile
{
    /// <summary>The stored Compose text, else text generated from the structured spec, else null.</summary>
    public static string? GetText(JsonObject stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored["spec"]?[StackCodec.ComposeFileKey] is JsonValue text)
        {
            return text.GetValue<string>();
        }

        return StackConversions.StructuredSpec(stored) is { } spec ? ComposeText.FromSpec(spec) : null;
    }

    /// <summary>
    /// Loads Compose text with the loader validation uses (empty environment, no file reads): the project, or the
    /// errors (field spec.composeFile) when it cannot be loaded. berth-controller deploys what this returns.
    /// </summary>
    public static (Compose.Model.ComposeProject? Project, ImmutableArray<FieldError> Errors) Load(string text, string stackName)
    {
        var loaded = ComposeText.Load(text, stackName);
        return (loaded.Project, loaded.Errors);
    }

    /// <summary>
    /// Stores <paramref name="text"/> and the structure loaded from it. On load errors the text is stored, the
    /// structure removed, and the errors (field spec.composeFile, with the line) returned.
    /// </summary>
    public static ImmutableArray<FieldError> SetText(JsonObject stored, string text)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(text);
        if (stored["spec"] is not JsonObject spec)
        {
            spec = new JsonObject();
            stored["spec"] = spec;
        }

        var loaded = ComposeText.Load(text, stored["metadata"]?["name"]?.GetValue<string>());
        spec.Remove(StackCodec.StackKey);
        spec.Remove(StackCodec.ComposeFileKey);
        spec.Insert(0, StackCodec.ComposeFileKey, text);
        if (loaded.Spec is { } structured)
        {
            spec.Insert(1, StackCodec.StackKey, structured);
        }

        return loaded.Errors;
    }
}
