using System.Text.Json.Nodes;
using Json.Schema;

namespace Berth.Compose.Validation;

/// <summary>
/// The embedded Compose Specification schema: built once for evaluation, and kept as a JSON tree so
/// error reports can look up what the failing part of the schema expected (types, enums, property names).
/// </summary>
internal sealed class ComposeSchema
{
    private const string ResourceName = "Berth.Compose.compose-spec.json";

    // The schema's $id is the relative "compose_spec.json"; an absolute base lets "#/definitions/..." resolve.
    private static readonly Uri BaseUri = new("https://berth.invalid/compose_spec.json");

    // The schema declares "$schema": "https://json-schema.org/draft-07/schema" (https, no '#'), which is not
    // the identifier JsonSchema.Net knows draft-07 by, so that URI is registered as an alias of draft-07.
    private static readonly Uri DeclaredDraft07 = new("https://json-schema.org/draft-07/schema");

    private static readonly Lazy<ComposeSchema> LazyInstance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private ComposeSchema(JsonSchema schema, JsonObject root)
    {
        Schema = schema;
        Root = root;
    }

    public static ComposeSchema Instance => LazyInstance.Value;

    public JsonSchema Schema { get; }

    /// <summary>The schema document as a tree, for looking up keywords by evaluation path.</summary>
    public JsonObject Root { get; }

    /// <summary>
    /// Follows an evaluation path (keyword and name segments, with <c>$ref</c> segments meaning
    /// "follow this reference") from the schema root; null when the path leaves the schema.
    /// </summary>
    public JsonNode? Resolve(IReadOnlyList<string> evaluationPath)
    {
        JsonNode? current = Root;
        foreach (var segment in evaluationPath)
        {
            current = segment == "$ref" ? FollowRef(current) : Child(current, segment);
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>Follows <c>$ref</c> (repeatedly) when <paramref name="node"/> is a reference; otherwise returns it.</summary>
    public JsonNode? Deref(JsonNode? node)
    {
        // Draft-07: $ref replaces its siblings, so a referencing node means the referenced one. The bound
        // only guards against a self-referencing schema.
        for (var i = 0; i < 32 && node is JsonObject obj && obj.ContainsKey("$ref"); i++)
        {
            node = FollowRef(node);
        }

        return node;
    }

    private JsonNode? FollowRef(JsonNode? node)
    {
        if (node is not JsonObject obj || obj["$ref"] is not JsonValue refValue || !refValue.TryGetValue<string>(out var reference))
        {
            return null;
        }

        var hash = reference.IndexOf('#', StringComparison.Ordinal);
        var fragment = hash >= 0 ? reference[(hash + 1)..] : string.Empty;
        JsonNode? current = Root;
        foreach (var segment in JsonPointerText.Split(fragment))
        {
            current = Child(current, segment);
        }

        return current;
    }

    private static JsonNode? Child(JsonNode? node, string segment) => node switch
    {
        JsonObject obj => obj.TryGetPropertyValue(segment, out var value) ? value : null,
        JsonArray array when int.TryParse(segment, out var index) && index >= 0 && index < array.Count => array[index],
        _ => null,
    };

    private static ComposeSchema Load()
    {
        using var stream = typeof(ComposeSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();

        var dialects = new DialectRegistry();
        dialects.Register(Dialect.Draft07.With([], DeclaredDraft07));

        // Local registries: building into the global ones would make a second build (another test host,
        // another AppDomain-like load context) fail on the already-registered $id.
        var options = new BuildOptions
        {
            SchemaRegistry = new SchemaRegistry(),
            DialectRegistry = dialects,
        };
        var schema = JsonSchema.FromText(text, options, BaseUri);
        var root = JsonNode.Parse(text)?.AsObject() ?? throw new InvalidOperationException("the Compose schema is not a JSON object");
        return new ComposeSchema(schema, root);
    }
}
