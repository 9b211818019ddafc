using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Testing;

namespace Berth.StackApi.Tests.Types;

/// <summary>The golden stacks (testdata/stacks/README.md says where each comes from) and canonical comparison.</summary>
internal static class StackTestData
{
    public static string Directory => Path.Combine(RepositoryRoot.Path, "tests", "Berth.StackApi.Tests", "testdata", "stacks");

    public static JsonObject Load(string version) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, version + ".json")))!;

    /// <summary>Keys in ordinal order, compact: equal texts mean equal JSON (numbers compared as written).</summary>
    public static string Canonical(JsonNode? node) => YamlJson.Canonical(node)?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";

    public static StackUser Alice { get; } = new(
        "alice",
        "uid-1",
        ["devs", "system:authenticated"],
        ImmutableDictionary<string, ImmutableArray<string>>.Empty.Add("scopes", ["a", "b"]));

    /// <summary>Decodes a body that must decode cleanly.</summary>
    public static JsonObject Store(JsonObject body, string version, JsonObject? existing = null)
    {
        var result = StackCodec.Decode(body, version, existing);
        Assert.Empty(result.Errors);
        Assert.Empty(result.UnknownFields);
        return result.Stored!;
    }

    public static JsonObject Body(string version, JsonObject spec, string name = "demo") => new()
    {
        ["apiVersion"] = $"compose.docker.com/{version}",
        ["kind"] = "Stack",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = spec,
    };
}
