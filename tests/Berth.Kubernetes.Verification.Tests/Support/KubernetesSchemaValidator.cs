using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Berth.Kubernetes.Verification.Tests.Support;

/// <summary>One schema violation: which object, where in it (JSON pointer) and what is wrong.</summary>
internal sealed record SchemaViolation(string Object, string InstancePath, string Message)
{
    public override string ToString() => $"{Object} at {(InstancePath.Length == 0 ? "/" : InstancePath)}: {Message}";
}

/// <summary>
/// Validates serialized Kubernetes objects against the per-kind Kubernetes 1.36 "standalone strict" JSON schemas
/// derived from testdata/schemas/kubernetes (chosen by apiVersion + kind through index.json; see
/// <see cref="KubernetesSchemaDeriver"/>). Strict means unknown fields are
/// rejected, which is what catches a misspelt or misplaced field that the API server would silently drop (or reject
/// with server-side field validation).
/// </summary>
internal sealed class KubernetesSchemaValidator
{
    private static readonly Lazy<KubernetesSchemaValidator> _shared = new(() => new KubernetesSchemaValidator(TestPaths.KubernetesSchemaIndex, TestPaths.KubernetesOpenApi));

    private readonly KubernetesSchemaDeriver _deriver;
    private readonly ImmutableDictionary<(string ApiVersion, string Kind), SchemaEntry> _files;
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema>> _schemas = new(StringComparer.Ordinal);

    /// <param name="index">index.json: file name, OpenAPI definition, apiVersion, kind and recursive definitions per kind.</param>
    /// <param name="openApi">The gzip-compressed Kubernetes OpenAPI v2 document the schemas are derived from.</param>
    public KubernetesSchemaValidator(string index, string openApi)
    {
        _deriver = KubernetesSchemaDeriver.FromCompressedOpenApi(openApi);
        using var document = JsonDocument.Parse(File.ReadAllText(index));
        var files = ImmutableDictionary.CreateBuilder<(string, string), SchemaEntry>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var apiVersion = entry.GetProperty("apiVersion").GetString()!;
            var kind = entry.GetProperty("kind").GetString()!;
            files[(apiVersion, kind)] = new SchemaEntry(
                entry.GetProperty("file").GetString()!,
                entry.GetProperty("definition").GetString()!,
                apiVersion,
                kind,
                [.. entry.GetProperty("recursive_local_definitions").EnumerateArray().Select(d => d.GetString()!)]);
        }

        _files = files.ToImmutable();
    }

    /// <summary>The validator over testdata/schemas/kubernetes (schemas are large: derived and built once per kind).</summary>
    public static KubernetesSchemaValidator Shared => _shared.Value;

    public IEnumerable<(string ApiVersion, string Kind)> Kinds => _files.Keys;

    /// <summary>Validates one object (a JSON object with apiVersion and kind); returns every violation found.</summary>
    public IReadOnlyList<SchemaViolation> Validate(JsonNode manifest)
    {
        var apiVersion = (manifest["apiVersion"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        var kind = (manifest["kind"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        var name = (manifest["metadata"]?["name"] as JsonValue)?.GetValue<string>() ?? "<no name>";
        var label = $"{kind}/{name} ({apiVersion})";
        if (!_files.TryGetValue((apiVersion, kind), out var entry))
        {
            return [new SchemaViolation(label, string.Empty, $"no Kubernetes 1.36 schema for apiVersion '{apiVersion}' kind '{kind}' (known: {string.Join(", ", _files.Keys.Select(k => k.Kind).Order(StringComparer.Ordinal))})")];
        }

        var schema = _schemas.GetOrAdd(entry.File, _ => new Lazy<JsonSchema>(() => Build(entry))).Value;
        EvaluationResults results;

        // JsonSchema.Net 7 keeps evaluation state on the schema objects: evaluations of one cached schema take turns.
        lock (schema)
        {
            results = schema.Evaluate(JsonNode.Parse(manifest.ToJsonString()), new EvaluationOptions { OutputFormat = OutputFormat.List, EvaluateAs = SpecVersion.Draft7 });
        }

        if (results.IsValid)
        {
            return [];
        }

        var violations = new List<SchemaViolation>();
        foreach (var detail in results.Details ?? [])
        {
            if (detail.Errors is null)
            {
                continue;
            }

            foreach (var (keyword, message) in detail.Errors)
            {
                violations.Add(new SchemaViolation(label, detail.InstanceLocation.ToString(), $"{keyword}: {message} (schema {detail.EvaluationPath})"));
            }
        }

        if (violations.Count == 0)
        {
            violations.Add(new SchemaViolation(label, string.Empty, "invalid (no detail reported)"));
        }

        return violations.Distinct().ToList();
    }

    private JsonSchema Build(SchemaEntry entry)
    {
        // The derived schemas follow draft-04 conventions, which JsonSchema.Net does not implement; every keyword they
        // use (type, properties, additionalProperties, required, items, enum, oneOf, format, local $ref to definitions)
        // means the same in draft-07, so they are evaluated as draft-07. x-kubernetes-* keywords are annotations.
        var node = _deriver.Derive(entry.Definition, entry.ApiVersion, entry.Kind, entry.RecursiveDefinitions);
        var schema = JsonSchema.FromText(node.ToJsonString());
        schema.BaseUri = new Uri("https://berth.invalid/k8s/" + entry.File);
        return schema;
    }

    /// <summary>One kind of index.json; <see cref="File"/> names the schema as it was first generated (also its URI here).</summary>
    private sealed record SchemaEntry(string File, string Definition, string ApiVersion, string Kind, ImmutableArray<string> RecursiveDefinitions);
}
