using Berth.Compose.Diagnostics;
using Berth.Compose.Output;
using Berth.Compose.Yaml;
using Json.Schema;

namespace Berth.Compose.Validation;

/// <summary>Validates one interpolated document against the Compose Specification schema, reporting every violation with its location.</summary>
public static class SchemaValidator
{
    // Format keywords (compose schemas have used custom ones such as "duration" and "ports") stay annotations:
    // the schema checks shapes; durations, ports and sizes are parsed and checked by later stages. New options per
    // evaluation: they carry a schema registry that evaluation writes to, so sharing them across threads is unsafe.
    private static EvaluationOptions DetailedOptions() => new()
    {
        OutputFormat = OutputFormat.Hierarchical,
        RequireFormatValidation = false,
        EvaluateAs = SpecVersion.Draft7,
    };

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

        var results = schema.Evaluate(ComposeNodeJson.ToJsonNode(document), DetailedOptions());
        var failures = SchemaFailureCollector.Reduce(new SchemaFailureCollector(schema, document).Collect(results));
        foreach (var failure in failures)
        {
            var at = SchemaInstance.Find(document, failure.Segments);
            diagnostics.Error(failure.Code, failure.Message, at.Location(failure.AtKey), at.Path.Length == 0 ? null : at.Path, failure.Hint);
        }
    }
}
