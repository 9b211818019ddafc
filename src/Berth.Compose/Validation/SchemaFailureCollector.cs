using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Compose.Yaml;
using Json.Schema;

namespace Berth.Compose.Validation;

/// <summary>
/// Walks JsonSchema.Net's hierarchical results and keeps what a user needs: one failure per mistake,
/// with <c>oneOf</c>/<c>anyOf</c> alternatives collapsed into either the alternative the user evidently
/// meant (the one whose shape matched) or a single "must be X, Y or Z" when none matched.
/// </summary>
internal sealed class SchemaFailureCollector(ComposeSchema schema, ComposeNode document)
{
    private const int MaxKeysInHint = 12;

    public List<SchemaFailure> Collect(EvaluationResults node)
    {
        if (node.IsValid)
        {
            return [];
        }

        var evaluationPath = JsonPointerText.Split(node.EvaluationPath.ToString());
        var instancePath = JsonPointerText.Split(node.InstanceLocation.ToString());
        var failures = new List<SchemaFailure>();
        if (node.Errors is { Count: > 0 } errors)
        {
            foreach (var (keyword, message) in errors)
            {
                if (FromKeyword(keyword, message, evaluationPath, instancePath) is { } failure)
                {
                    failures.Add(failure);
                }
            }
        }

        if (node.Details is not { Count: > 0 } details)
        {
            return failures;
        }

        List<(string Keyword, List<(EvaluationResults Result, string[] Path)> Branches)>? groups = null;
        foreach (var child in details)
        {
            var childPath = JsonPointerText.Split(child.EvaluationPath.ToString());
            if (BranchKeyword(evaluationPath, childPath) is { } keyword)
            {
                groups ??= [];
                var index = groups.FindIndex(g => g.Keyword == keyword);
                if (index < 0)
                {
                    groups.Add((keyword, []));
                    index = groups.Count - 1;
                }

                groups[index].Branches.Add((child, childPath));
            }
            else
            {
                failures.AddRange(Collect(child));
            }
        }

        foreach (var (keyword, branches) in groups ?? [])
        {
            failures.AddRange(CollapseBranches(keyword, branches, instancePath));
        }

        return failures;
    }

    /// <summary>
    /// Removes repeats and noise: the same place is reported once (most specific rule first), and a
    /// vague failure about a value is dropped when something inside that value is reported precisely.
    /// </summary>
    public static List<SchemaFailure> Reduce(List<SchemaFailure> failures)
    {
        var distinct = failures.DistinctBy(f => (f.Pointer, f.Kind, f.Message)).ToList();
        var specific = distinct
            .Where(f => f.Kind is not (SchemaFailureKind.Type or SchemaFailureKind.Other) || !distinct.Exists(f.Contains))
            .ToList();
        return [.. specific
            .GroupBy(f => f.Pointer, StringComparer.Ordinal)
            .Select(g => g.OrderBy(f => f.Kind).First())];
    }

    private static string? BranchKeyword(string[] parent, string[] child)
    {
        if (child.Length != parent.Length + 2 || child[^2] is not ("oneOf" or "anyOf"))
        {
            return null;
        }

        for (var i = 0; i < parent.Length; i++)
        {
            if (!string.Equals(parent[i], child[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return int.TryParse(child[^1], NumberStyles.None, CultureInfo.InvariantCulture, out _) ? child[^2] : null;
    }

    private List<SchemaFailure> CollapseBranches(string keyword, List<(EvaluationResults Result, string[] Path)> branches, string[] instancePath)
    {
        var validCount = branches.Count(b => b.Result.IsValid);
        if (validCount >= 2 && keyword == "oneOf")
        {
            var at = SchemaInstance.Find(document, instancePath);
            var shapes = SchemaDescriber.Shapes(schema, branches.Where(b => b.Result.IsValid).Select(b => schema.Resolve(b.Path)));
            return [Failure(SchemaFailureKind.Other, instancePath, $"is ambiguous: {at.DescribeActual()} that matches more than one form ({SchemaDescriber.JoinAnd(shapes)})")];
        }

        if (validCount >= 1)
        {
            return [];
        }

        var pointer = ToPointer(instancePath);
        var outcomes = branches.Select(b => (b.Path, Failures: Collect(b.Result))).ToList();

        // A branch with nothing left to report only failed on leniently treated values such as "${PORT}".
        if (outcomes.Exists(o => o.Failures.Count == 0))
        {
            return [];
        }

        // A branch that failed only because the value has another type is not what the user meant; one that got
        // past the type check (wrong key inside a mapping, bad enum value) is, and its errors are the useful ones.
        var nearMisses = outcomes
            .Where(o => o.Failures.Exists(f => !(f.Kind == SchemaFailureKind.Type && f.Pointer == pointer)))
            .ToList();
        if (nearMisses.Count > 0)
        {
            return nearMisses.MinBy(o => o.Failures.Count).Failures;
        }

        var instance = SchemaInstance.Find(document, instancePath);
        var expected = SchemaDescriber.Shapes(schema, outcomes.Select(o => schema.Resolve(o.Path)));
        return [TypeFailure(expected, instance, instancePath)];
    }

    private SchemaFailure? FromKeyword(string keyword, string message, string[] evaluationPath, string[] instancePath)
    {
        var schemaNode = schema.Resolve(evaluationPath) as JsonObject;
        var at = SchemaInstance.Find(document, instancePath);
        switch (keyword)
        {
            case "oneOf" or "anyOf":
                // Reported through the alternatives (see CollapseBranches).
                return null;
            case "" or "false" when evaluationPath.Length > 0 && evaluationPath[^1] == "additionalProperties":
                return UnknownKey(evaluationPath, instancePath);
            case "type":
                if (IsVariable(at) && SchemaDescriber.TypeNames(schemaNode).Any(t => t is "integer" or "number" or "boolean" or "null"))
                {
                    // Without interpolation "${PORT}" stands where a number goes; the value decides, not the schema.
                    return null;
                }

                var expected = SchemaDescriber.Types(schema, schemaNode);
                return TypeFailure(expected, at, instancePath);
            case "enum":
                return IsVariable(at) ? null : EnumFailure(schemaNode, at, instancePath);
            case "pattern":
                return IsVariable(at)
                    ? null
                    : Failure(SchemaFailureKind.Pattern, instancePath, $"{ActualText(at)} does not match the pattern {SchemaDescriber.Quote(schemaNode?["pattern"])}");
            case "required":
                return RequiredFailure(schemaNode, at, instancePath);
            case "uniqueItems" when FirstDuplicate(at) is var (first, repeat) && repeat > 0:
                // Point at the repeated item, which is the line to delete.
                return Failure(SchemaFailureKind.Other, [.. instancePath, repeat.ToString(CultureInfo.InvariantCulture)], $"duplicates item [{first}]; items of this list must be unique");
            default:
                return Failure(SchemaFailureKind.Other, instancePath, OtherMessage(keyword, message, schemaNode));
        }
    }

    private SchemaFailure UnknownKey(string[] evaluationPath, string[] instancePath)
    {
        var key = instancePath.Length > 0 ? instancePath[^1] : string.Empty;
        var owner = schema.Resolve(evaluationPath[..^1]) as JsonObject;
        var properties = (owner?["properties"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
        var patterns = (owner?["patternProperties"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
        var allowsExtensions = patterns.Contains("^x-");

        string? hint;
        if (Levenshtein.Closest(key, properties) is { } closest)
        {
            hint = $"did you mean '{closest}'?";
        }
        else if (properties.Count == 0 && patterns.Find(p => p != "^x-") is { } namePattern)
        {
            // Maps of user-chosen names (services, networks, ...): the key is a bad name, not a typo.
            hint = $"names here must match '{namePattern}'";
        }
        else
        {
            // Short lists of keys are worth showing; a service's ninety are not.
            var known = properties.Count is > 0 and <= MaxKeysInHint
                ? $"known keys here: {string.Join(", ", properties.Order(StringComparer.Ordinal))}"
                : null;
            var extension = allowsExtensions ? $"rename it to 'x-{key}' to keep it as an extension field" : null;
            hint = (known, extension) switch
            {
                (null, null) => null,
                ({ } k, null) => k,
                (null, { } e) => $"remove it, or {e}",
                ({ } k, { } e) => $"{k}; or {e}",
            };
        }

        return Failure(SchemaFailureKind.UnknownKey, instancePath, $"additional property '{key}' is not allowed", hint, atKey: true);
    }

    private static SchemaFailure TypeFailure(List<string> expected, SchemaInstance at, string[] instancePath)
    {
        var message = $"must be {SchemaDescriber.JoinOr(expected)}, not {at.DescribeActual()}";
        return Failure(SchemaFailureKind.Type, instancePath, message, TypeHint(expected, at));
    }

    /// <summary>Fixes for the usual YAML slips behind a type error.</summary>
    private static string? TypeHint(List<string> expected, SchemaInstance at)
    {
        var wantsMapping = expected.Exists(e => e.StartsWith("a mapping", StringComparison.Ordinal));
        var wantsList = expected.Exists(e => e.StartsWith("a list", StringComparison.Ordinal));
        var wantsString = expected.Contains("a string");
        return at.Node switch
        {
            SequenceNode when wantsMapping => "write 'key: value' entries here, not '- item' entries",
            ScalarNode { IsNull: true } when wantsMapping => "add its settings, indented below it, or write '{}' for none",
            ScalarNode { Kind: ScalarKind.String } s when wantsList && !wantsString => $"write a list, even for one item: [{s.Value}]",
            ScalarNode { Kind: ScalarKind.Int or ScalarKind.Float or ScalarKind.Bool } s when wantsString && expected.Count == 1 => $"quote it to make it a string: \"{s.Value}\"",
            MappingNode when wantsList && !wantsMapping => "write '- item' entries here, not 'key: value' entries",
            _ => null,
        };
    }

    private static SchemaFailure EnumFailure(JsonObject? schemaNode, SchemaInstance at, string[] instancePath)
    {
        var allowed = (schemaNode?["enum"] as JsonArray)?.ToList() ?? [];
        var names = allowed.Select(SchemaDescriber.Quote).ToList();
        var hint = at.Node is ScalarNode scalar
            && Levenshtein.Closest(scalar.AsString(), allowed.OfType<JsonValue>().Select(v => v.ToString())) is { } closest
            ? $"did you mean '{closest}'?"
            : null;
        var message = names.Count == 1
            ? $"must be {names[0]}, not {ActualText(at)}"
            : $"must be one of {SchemaDescriber.JoinOr(names)}, not {ActualText(at)}";
        return Failure(SchemaFailureKind.Enum, instancePath, message, hint);
    }

    private static SchemaFailure RequiredFailure(JsonObject? schemaNode, SchemaInstance at, string[] instancePath)
    {
        var required = (schemaNode?["required"] as JsonArray)?.Select(r => r?.ToString() ?? string.Empty) ?? [];
        var missing = required.Where(r => at.Node is not MappingNode map || !map.ContainsKey(r)).Select(r => $"'{r}'").ToList();
        var message = missing.Count == 1
            ? $"required property {missing[0]} is missing"
            : $"required properties {SchemaDescriber.JoinAnd(missing)} are missing";
        return Failure(SchemaFailureKind.Required, instancePath, message, $"add {SchemaDescriber.JoinAnd(missing)}");
    }

    private static string OtherMessage(string keyword, string message, JsonObject? schemaNode)
    {
        var limit = schemaNode?[keyword]?.ToJsonString();
        return keyword switch
        {
            "uniqueItems" => "must not contain duplicate items",
            "minimum" => $"must be at least {limit}",
            "maximum" => $"must be at most {limit}",
            "exclusiveMinimum" => $"must be greater than {limit}",
            "exclusiveMaximum" => $"must be less than {limit}",
            "minItems" => $"must have at least {limit} item(s)",
            "maxItems" => $"must have at most {limit} item(s)",
            "minProperties" => $"must have at least {limit} entr{(limit == "1" ? "y" : "ies")}",
            "maxProperties" => $"must have at most {limit} entr{(limit == "1" ? "y" : "ies")}",
            "minLength" => $"must be at least {limit} character(s) long",
            "maxLength" => $"must be at most {limit} character(s) long",
            "" or "false" => "is not allowed here",
            _ => $"is invalid ({keyword}: {message})",
        };
    }

    private static (int First, int Repeat) FirstDuplicate(SchemaInstance at)
    {
        if (at.Node is SequenceNode seq)
        {
            for (var i = 1; i < seq.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (seq[i].SameValueAs(seq[j]))
                    {
                        return (j, i);
                    }
                }
            }
        }

        return (0, 0);
    }

    private static string ActualText(SchemaInstance at) => at.Node switch
    {
        ScalarNode { Kind: ScalarKind.String } s => $"'{s.Value}'",
        ScalarNode s => s.IsNull ? "null" : s.Value,
        _ => at.DescribeActual(),
    };

    private static bool IsVariable(SchemaInstance at) => at.Node is ScalarNode scalar && UninterpolatedVariable.IsIn(scalar);

    private static string ToPointer(string[] segments)
        => segments.Length == 0 ? string.Empty : "/" + string.Join('/', segments.Select(s => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));

    private static SchemaFailure Failure(SchemaFailureKind kind, string[] instancePath, string message, string? hint = null, bool atKey = false)
        => new(kind, ToPointer(instancePath), instancePath, message, hint, atKey);
}
