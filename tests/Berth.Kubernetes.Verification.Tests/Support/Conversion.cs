using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Berth.Compose.Diagnostics;
using Berth.Compose.Loading;
using Berth.Kubernetes.Convert;
using Berth.Testing;

namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>Loads a Compose file with Berth's loader and converts it like the CLI, returning the plan and its objects as JSON.</summary>
internal static class Conversion
{
    /// <summary>The environment the corpus is loaded with (same as the Compose corpus tests), so results do not depend on the machine.</summary>
    public static readonly ImmutableDictionary<string, string> CorpusEnvironment = ImmutableDictionary<string, string>.Empty
        .Add("HOME", "/home/berth-corpus")
        .Add("BAR", "this is a secret")
        .Add("QUX", "qux_from_environment");

    public static LoadResult Load(string file, bool interpolate = true, ImmutableDictionary<string, string>? environment = null)
        => ProjectLoader.Load(new LoadOptions
        {
            Files = [file],
            WorkingDirectory = Path.GetDirectoryName(file)!,
            Environment = environment ?? CorpusEnvironment,
            Interpolate = interpolate,
        });

    public static (KubernetesPlan Plan, IReadOnlyList<JsonObject> Objects) Convert(LoadResult loaded, KubernetesConvertOptions? options = null)
    {
        if (!loaded.Succeeded)
        {
            throw new InvalidOperationException("load failed:\n" + string.Join('\n', loaded.Diagnostics.Where(d => d.Severity == Severity.Error)));
        }

        // As `berth convert` does: the files that secrets and configs name are read before converting (the
        // converter itself does no I/O and reports a file missing from FileContents as BK301).
        var o = options ?? new KubernetesConvertOptions();
        var plan = KubernetesConverter.Convert(loaded.Project!, o.FileContents.IsEmpty ? o with { FileContents = ResourceContentReader.Read(loaded.Project!) } : o);
        return (plan, YamlJson.Flatten(JsonNode.Parse(KubernetesManifestWriter.ToJson(plan))));
    }
}
