using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Berth.Compose.Validation;

/// <summary>
/// The Compose Specification schema compiled into the binary (<see cref="ComposeSpecJson"/>), loaded once: as a JSON tree (so error reports can look up what
/// the failing part of the schema expected: types, enums, property names), as a fast precheck, and, on
/// first need, as a JsonSchema.Net schema for detailed evaluation.
/// </summary>
internal sealed class ComposeSchema
{
    private const string Draft07 = "http://json-schema.org/draft-07/schema#";

    // The schema's $id is the relative "compose_spec.json"; an absolute base lets "#/definitions/..." resolve.
    private static readonly Uri BaseUri = new("https://berth.invalid/compose_spec.json");

    private static readonly Lazy<ComposeSchema> LazyInstance = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Lazy<JsonObject> _root;

    private readonly Lazy<JsonSchema> _schema;

    // JsonSchema.Net 7 keeps evaluation state on the schema objects, so evaluations of the one shared schema take turns.
    private readonly Lock _evaluation = new();

    private ComposeSchema(byte[] utf8)
    {
        // Not disposed: the precheck compiles its rules from the document as files reach them.
        Precheck = SchemaPrecheck.TryCreate(JsonDocument.Parse(utf8));

        // Built on first need: valid files are settled by the precheck and never pay for the object tree or for
        // JsonSchema.Net (every command that loads a file pays for this constructor).
        _root = new Lazy<JsonObject>(() => ParseTree(utf8), LazyThreadSafetyMode.ExecutionAndPublication);
        _schema = new Lazy<JsonSchema>(() => Build(utf8), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public static ComposeSchema Instance => LazyInstance.Value;

    /// <summary>The JsonSchema.Net schema, the authority on what is valid and the source of detailed results.</summary>
    public JsonSchema Schema => _schema.Value;

    /// <summary>Evaluates <paramref name="instance"/> against <see cref="Schema"/>; safe to call from several threads.</summary>
    public EvaluationResults Evaluate(JsonNode? instance, EvaluationOptions options)
    {
        lock (_evaluation)
        {
            return Schema.Evaluate(instance, options);
        }
    }

    /// <summary>The fast check for valid documents; null when the schema uses keywords it does not implement.</summary>
    public SchemaPrecheck? Precheck { get; }

    /// <summary>The schema document as a tree, for looking up keywords by evaluation path.</summary>
    public JsonObject Root => _root.Value;

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

    // Kept as UTF-8: JsonDocument parses bytes directly, where a string would be decoded and then re-encoded.
    private static ComposeSchema Load() => new(ComposeSpecJson.Utf8.ToArray());

    private static JsonObject ParseTree(byte[] utf8)
    {
        var root = JsonNode.Parse(utf8)?.AsObject() ?? throw new InvalidOperationException("the Compose schema is not a JSON object");

        // Parsed JsonObjects fill in their children lazily, which is not safe for concurrent readers;
        // touching every node once here makes the shared tree read-only from then on.
        Materialize(root);
        return root;
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
            default:
                break;
        }
    }

    private static JsonSchema Build(byte[] utf8)
    {
        // Declared as "https://json-schema.org/draft-07/schema" (https, no '#'), which is not the identifier
        // JsonSchema.Net knows draft-07 by; the schema is draft-07, so it is evaluated as such.
        var node = JsonNode.Parse(utf8)?.AsObject() ?? throw new InvalidOperationException("the Compose schema is not a JSON object");
        node["$schema"] = Draft07;
        var schema = JsonSchema.FromText(node.ToJsonString());
        schema.BaseUri = BaseUri;
        return schema;
    }
}
