using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Compose.Tests.Support;
using Berth.Compose.Validation;

namespace Berth.Compose.Tests.Validation;

/// <summary>
/// The schema is compiled in as a UTF-8 literal generated from Schema/compose-spec.json at build time (a resource
/// would need reflection at start-up): the literal must be that file's JSON, neither stale nor mangled by the
/// generation (MSBuild trims the lines and escapes <c>;</c>, <c>$</c>, <c>%</c>, <c>@</c>).
/// </summary>
public sealed class ComposeSpecJsonTests
{
    [Fact]
    public void The_compiled_in_schema_is_the_source_file_s_json()
    {
        var source = File.ReadAllBytes(Path.Combine(TestPaths.RepoRoot, "src", "Berth.Compose", "Schema", "compose-spec.json"));
        var compiled = ComposeSpecJson.Utf8.ToArray();

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(source), JsonNode.Parse(compiled)), "ComposeSpecJson.Utf8 differs from Schema/compose-spec.json: rebuild Berth.Compose");

        // '$' is what MSBuild would read as a property reference had the generation not escaped it ($schema, $ref).
        using var document = JsonDocument.Parse(compiled);
        Assert.Equal("https://json-schema.org/draft-07/schema", document.RootElement.GetProperty("$schema").GetString());
        Assert.True(compiled.Length > 10_000, $"the compiled-in schema is only {compiled.Length} bytes");
    }
}
