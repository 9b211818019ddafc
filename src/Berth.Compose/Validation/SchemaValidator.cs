using System.Buffers;
using System.Text.Json;
using Berth.Compose.Diagnostics;
using Berth.Compose.Output;
using Berth.Compose.Yaml;
using Json.Schema;

namespace Berth.Compose.Validation;

/// <summary>Validates one interpolated document against the Compose Specification schema, reporting every violation with its location.</summary>
public static class SchemaValidator
{
    // Format keywords (compose schemas have used custom ones such as "duration" and "ports") stay annotations:
    // the schema checks shapes; durations, ports and sizes are parsed and checked by later stages.
    private static readonly EvaluationOptions DetailedOptions = new()
    {
        OutputFormat = OutputFormat.Hierarchical,
        RequireFormatValidation = false,
    };

    // Deeper than the YAML reader's own nesting limit, so that limit, not this one, decides.
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = LoadLimits.Default.MaxDepth * 4 };

    private static readonly Lazy<bool> PruningIsSafe = new(() => SchemaPruner.IsSafeFor(ComposeSchema.Instance));

    public static void Validate(ComposeNode document, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var schema = ComposeSchema.Instance;

        // Most documents are valid; the precheck settles those without converting the tree to JSON.
        var precheck = schema.Precheck;
        if (precheck?.IsValid(document) == true)
        {
            return;
        }

        if (precheck is not null && document is MappingNode map && PruningIsSafe.Value)
        {
            document = SchemaPruner.Prune(map, precheck);
        }

        using var json = ToJsonDocument(document);

        var results = schema.Schema.Evaluate(json.RootElement, DetailedOptions);
        var failures = SchemaFailureCollector.Reduce(new SchemaFailureCollector(schema, document).Collect(results));
        foreach (var failure in failures)
        {
            var at = SchemaInstance.Find(document, failure.Segments);
            diagnostics.Error(failure.Code, failure.Message, at.Location(failure.AtKey), at.Path.Length == 0 ? null : at.Path, failure.Hint);
        }
    }

    private static JsonDocument ToJsonDocument(ComposeNode document)
    {
        var node = ComposeNodeJson.ToJsonNode(document);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, MaxDepth = DocumentOptions.MaxDepth }))
        {
            if (node is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                node.WriteTo(writer);
            }
        }

        return JsonDocument.Parse(buffer.WrittenMemory, DocumentOptions);
    }
}
