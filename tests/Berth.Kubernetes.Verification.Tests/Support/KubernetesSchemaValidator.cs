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
/// Validates serialized Kubernetes objects against the per-kind Kubernetes 1.36 "standalone strict" JSON schemas in
/// ../shared/schemas/kubernetes (chosen by apiVersion + kind through index.json). Strict means unknown fields are
/// rejected, which is what catches a misspelt or misplaced field that the API server would silently drop (or reject
/// with server-side field validation).
/// </summary>
internal sealed class KubernetesSchemaValidator
{
    private static readonly Lazy<KubernetesSchemaValidator> _shared = new(() => new KubernetesSchemaValidator(TestPaths.KubernetesSchemas));

    private readonly string _directory;
    private readonly ImmutableDictionary<(string ApiVersion, string Kind), string> _files;
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema>> _schemas = new(StringComparer.Ordinal);

    public KubernetesSchemaValidator(string directory)
    {
        _directory = directory;
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "index.json")));
        var files = ImmutableDictionary.CreateBuilder<(string, string), string>();
        foreach (var entry in index.RootElement.EnumerateArray())
        {
            files[(entry.GetProperty("apiVersion").GetString()!, entry.GetProperty("kind").GetString()!)] = entry.GetProperty("file").GetString()!;
        }

        _files = files.ToImmutable();
    }

    /// <summary>The validator over ../shared/schemas/kubernetes/v1.36-standalone-strict-derived (schemas are large: built once per kind).</summary>
    public static KubernetesSchemaValidator Shared => _shared.Value;

    public IEnumerable<(string ApiVersion, string Kind)> Kinds => _files.Keys;

    /// <summary>Validates one object (a JSON object with apiVersion and kind); returns every violation found.</summary>
    public IReadOnlyList<SchemaViolation> Validate(JsonNode manifest)
    {
        var apiVersion = (manifest["apiVersion"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        var kind = (manifest["kind"] as JsonValue)?.GetValue<string>() ?? string.Empty;
        var name = (manifest["metadata"]?["name"] as JsonValue)?.GetValue<string>() ?? "<no name>";
        var label = $"{kind}/{name} ({apiVersion})";
        if (!_files.TryGetValue((apiVersion, kind), out var file))
        {
            return [new SchemaViolation(label, string.Empty, $"no Kubernetes 1.36 schema for apiVersion '{apiVersion}' kind '{kind}' (known: {string.Join(", ", _files.Keys.Select(k => k.Kind).Order(StringComparer.Ordinal))})")];
        }

        var schema = _schemas.GetOrAdd(file, f => new Lazy<JsonSchema>(() => Load(Path.Combine(_directory, f)))).Value;
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

    private static JsonSchema Load(string path)
    {
        // The derived files declare draft-04, which JsonSchema.Net does not implement; every keyword they use
        // (type, properties, additionalProperties, required, items, enum, oneOf, format, local $ref to definitions)
        // means the same in draft-07, so they are evaluated as draft-07. x-kubernetes-* keywords are annotations.
        var node = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        node.Remove("$schema");
        var schema = JsonSchema.FromText(node.ToJsonString());
        schema.BaseUri = new Uri("https://berth.invalid/k8s/" + Path.GetFileName(path));
        return schema;
    }
}
