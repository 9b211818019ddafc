using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Compose.Output;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// A fast yes/no check of a node tree against the Compose schema, for the common case of a valid file.
/// JsonSchema.Net needs the tree converted to JSON and spends several hundred milliseconds on a
/// 2,000-service file; this walks the nodes directly. Only when it says "invalid" does the validator run
/// JsonSchema.Net for the detailed, authoritative report, so a mistake here costs time, never a missed error,
/// as long as it is never more lenient than the schema (the precheck agreement tests compare the two).
/// </summary>
/// <remarks>
/// Supports the draft-07 keywords the Compose schema uses. A schema using any other assertion keyword
/// disables the precheck (<see cref="TryCreate"/> returns null) rather than risk accepting what it should not.
/// </remarks>
internal sealed class SchemaPrecheck
{
    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "$id", "$schema", "$comment", "title", "description", "default", "deprecated", "examples", "definitions", "format", "readOnly", "writeOnly",
    };

    private readonly Rule _root;

    private SchemaPrecheck(Rule root)
    {
        _root = root;
    }

    [Flags]
    private enum JsonType
    {
        None = 0,
        Null = 1,
        Boolean = 2,
        Integer = 4,
        Number = 8,
        String = 16,
        Array = 32,
        Object = 64,
    }

    /// <summary>Compiles <paramref name="root"/>; null when it uses keywords this precheck does not implement.</summary>
    public static SchemaPrecheck? TryCreate(JsonElement root)
    {
        var compiler = new Compiler(root);
        var rule = compiler.Compile(root);
        return compiler.Unsupported ? null : new SchemaPrecheck(rule);
    }

    public bool IsValid(ComposeNode document) => _root.Accepts(document, lenient: true);

    /// <summary>The JSON type ComposeNodeJson gives a node (an integral float is also an integer, as in JSON Schema).</summary>
    private static JsonType TypeOf(ComposeNode node) => node switch
    {
        MappingNode => JsonType.Object,
        SequenceNode => JsonType.Array,
        ScalarNode { Kind: ScalarKind.Null } => JsonType.Null,
        ScalarNode { Kind: ScalarKind.Bool } => JsonType.Boolean,
        ScalarNode { Kind: ScalarKind.Int } s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => JsonType.Integer | JsonType.Number,
        ScalarNode { Kind: ScalarKind.Float } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            => double.IsInteger(d) ? JsonType.Integer | JsonType.Number : JsonType.Number,
        _ => JsonType.String,
    };

    private static double? NumberOf(ComposeNode node)
        => node is ScalarNode { Kind: ScalarKind.Int or ScalarKind.Float } s
            && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;

    private sealed class Rule
    {
        public bool AlwaysFalse { get; set; }

        public JsonType Types { get; set; }

        public Dictionary<string, Rule>? Properties { get; set; }

        public List<(SchemaPattern Pattern, Rule Rule)>? PatternProperties { get; set; }

        public Rule? AdditionalProperties { get; set; }

        public Rule? Items { get; set; }

        public Rule[]? OneOf { get; set; }

        public Rule[]? AnyOf { get; set; }

        public JsonNode?[]? Enum { get; set; }

        public SchemaPattern? Pattern { get; set; }

        public string[]? Required { get; set; }

        public bool UniqueItems { get; set; }

        public double? Minimum { get; set; }

        public double? Maximum { get; set; }

        /// <summary>Set for a <c>$ref</c>; draft-07 ignores the referencing node's other keywords.</summary>
        public Rule? Ref { get; set; }

        /// <summary>
        /// Whether <paramref name="node"/> satisfies this rule; <paramref name="lenient"/> lets uninterpolated
        /// variables through type, enum and pattern checks, as the detailed report does.
        /// </summary>
        public bool Accepts(ComposeNode node, bool lenient)
        {
            if (Ref is not null)
            {
                return Ref.Accepts(node, lenient);
            }

            if (AlwaysFalse)
            {
                return false;
            }

            var type = TypeOf(node);
            var variable = lenient && node is ScalarNode scalar && UninterpolatedVariable.IsIn(scalar);
            if (Types != JsonType.None && (Types & type) == 0)
            {
                // Mirrors the report: "${PORT}" where a number goes is left to interpolation.
                if (!(variable && (Types & (JsonType.Integer | JsonType.Number | JsonType.Boolean | JsonType.Null)) != 0))
                {
                    return false;
                }
            }

            if (Enum is not null && !variable && !EnumContains(node))
            {
                return false;
            }

            if (Pattern is not null && type == JsonType.String && !variable && !Pattern.IsMatch(((ScalarNode)node).Value))
            {
                return false;
            }

            if ((Minimum is not null || Maximum is not null) && NumberOf(node) is { } number
                && ((Minimum is { } min && number < min) || (Maximum is { } max && number > max)))
            {
                return false;
            }

            if (node is MappingNode map && !AcceptsMapping(map, lenient))
            {
                return false;
            }

            if (node is SequenceNode seq && !AcceptsSequence(seq, lenient))
            {
                return false;
            }

            if (AnyOf is not null && !Array.Exists(AnyOf, r => r.Accepts(node, lenient)))
            {
                return false;
            }

            return OneOf is null || AcceptsOneOf(node, lenient);
        }

        private bool AcceptsOneOf(ComposeNode node, bool lenient)
        {
            // As the report decides: two strict matches are an ambiguity; one is fine; with none, a branch
            // that only a "${VAR}" kept from matching counts (that the variable could also fit another
            // branch, "${PORT}" as a number or a string, is no ambiguity in the user's file).
            var strict = 0;
            foreach (var branch in OneOf!)
            {
                if (branch.Accepts(node, lenient: false) && ++strict > 1)
                {
                    return false;
                }
            }

            return strict == 1 || (lenient && Array.Exists(OneOf, b => b.Accepts(node, lenient: true)));
        }

        private bool AcceptsMapping(MappingNode map, bool lenient)
        {
            if (Required is not null && !Array.TrueForAll(Required, map.ContainsKey))
            {
                return false;
            }

            if (Properties is null && PatternProperties is null && AdditionalProperties is null)
            {
                return true;
            }

            foreach (var entry in map.Entries)
            {
                var name = entry.Name;
                var matched = false;
                if (Properties is not null && Properties.TryGetValue(name, out var property))
                {
                    matched = true;
                    if (!property.Accepts(entry.Value, lenient))
                    {
                        return false;
                    }
                }

                if (PatternProperties is not null)
                {
                    foreach (var (pattern, rule) in PatternProperties)
                    {
                        if (pattern.IsMatch(name))
                        {
                            matched = true;
                            if (!rule.Accepts(entry.Value, lenient))
                            {
                                return false;
                            }
                        }
                    }
                }

                if (!matched && AdditionalProperties is not null && !AdditionalProperties.Accepts(entry.Value, lenient))
                {
                    return false;
                }
            }

            return true;
        }

        private bool AcceptsSequence(SequenceNode seq, bool lenient)
        {
            if (Items is not null)
            {
                foreach (var item in seq.Items)
                {
                    if (!Items.Accepts(item, lenient))
                    {
                        return false;
                    }
                }
            }

            if (UniqueItems && seq.Count > 1)
            {
                // JSON equality (1 equals 1.0, key order ignored), as the schema defines it.
                var values = seq.Items.Select(ComposeNodeJson.ToJsonNode).ToArray();
                for (var i = 1; i < values.Length; i++)
                {
                    for (var j = 0; j < i; j++)
                    {
                        if (JsonNode.DeepEquals(values[i], values[j]))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }

        private bool EnumContains(ComposeNode node)
        {
            var value = ComposeNodeJson.ToJsonNode(node);
            return Array.Exists(Enum!, candidate => JsonNode.DeepEquals(candidate, value));
        }
    }

    /// <summary>
    /// Compiles from the read-only <see cref="JsonElement"/> view of the schema: parsing it is one buffer, where a
    /// <see cref="JsonNode"/> tree is an object per node, and this runs on every start of every command that loads.
    /// </summary>
    private sealed class Compiler(JsonElement root)
    {
        // $ref is the only way a schema node is reached twice (and the only way to recurse), so rules are shared by
        // reference target; every other node is compiled once because the schema is otherwise a tree.
        private readonly Dictionary<string, Rule> _byReference = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SchemaPattern> _patterns = new(StringComparer.Ordinal);

        public bool Unsupported { get; private set; }

        public Rule Compile(JsonElement node)
        {
            if (node.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return new Rule { AlwaysFalse = node.ValueKind == JsonValueKind.False };
            }

            if (node.ValueKind != JsonValueKind.Object)
            {
                Unsupported = true;
                return new Rule();
            }

            if (node.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String)
            {
                var target = reference.GetString()!;
                if (!_byReference.TryGetValue(target, out var shared))
                {
                    // Registered before compiling the target, so a recursive definition refers to itself.
                    shared = new Rule();
                    _byReference[target] = shared;
                    if (Resolve(target) is { } resolved)
                    {
                        shared.Ref = Compile(resolved);
                    }
                    else
                    {
                        Unsupported = true;
                    }
                }

                return shared;
            }

            var rule = new Rule();
            foreach (var property in node.EnumerateObject())
            {
                Apply(rule, property.Name, property.Value);
            }

            return rule;
        }

        private void Apply(Rule rule, string keyword, JsonElement value)
        {
            switch (keyword)
            {
                case "type":
                    rule.Types = TypeNames(value).Aggregate(JsonType.None, (all, t) => all | ParseType(t));
                    break;
                case "properties" when value.ValueKind == JsonValueKind.Object:
                    rule.Properties = new Dictionary<string, Rule>(StringComparer.Ordinal);
                    foreach (var property in value.EnumerateObject())
                    {
                        rule.Properties[property.Name] = Compile(property.Value);
                    }

                    break;
                case "patternProperties" when value.ValueKind == JsonValueKind.Object:
                    rule.PatternProperties = [.. value.EnumerateObject().Select(p => (Pattern(p.Name), Compile(p.Value)))];
                    break;
                case "additionalProperties":
                    rule.AdditionalProperties = Compile(value);
                    break;
                case "items" when value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False:
                    rule.Items = Compile(value);
                    break;
                case "oneOf" when value.ValueKind == JsonValueKind.Array:
                    rule.OneOf = [.. value.EnumerateArray().Select(Compile)];
                    break;
                case "anyOf" when value.ValueKind == JsonValueKind.Array:
                    rule.AnyOf = [.. value.EnumerateArray().Select(Compile)];
                    break;
                case "enum" when value.ValueKind == JsonValueKind.Array:
                    rule.Enum = [.. value.EnumerateArray().Select(v => JsonNode.Parse(v.GetRawText()))];
                    break;
                case "pattern" when value.ValueKind == JsonValueKind.String:
                    rule.Pattern = Pattern(value.GetString()!);
                    break;
                case "required" when value.ValueKind == JsonValueKind.Array:
                    rule.Required = [.. value.EnumerateArray().Select(n => n.ValueKind == JsonValueKind.String ? n.GetString()! : n.GetRawText())];
                    break;
                case "uniqueItems" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                    rule.UniqueItems = value.ValueKind == JsonValueKind.True;
                    break;
                case "minimum" when value.ValueKind == JsonValueKind.Number:
                    rule.Minimum = value.GetDouble();
                    break;
                case "maximum" when value.ValueKind == JsonValueKind.Number:
                    rule.Maximum = value.GetDouble();
                    break;
                default:
                    if (!Annotations.Contains(keyword))
                    {
                        Unsupported = true;
                    }

                    break;
            }
        }

        private static IEnumerable<string> TypeNames(JsonElement type) => type.ValueKind switch
        {
            JsonValueKind.String => [type.GetString()!],
            JsonValueKind.Array => type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!),
            _ => [],
        };

        private static JsonType ParseType(string name) => name switch
        {
            "null" => JsonType.Null,
            "boolean" => JsonType.Boolean,
            "integer" => JsonType.Integer,
            "number" => JsonType.Number | JsonType.Integer,
            "string" => JsonType.String,
            "array" => JsonType.Array,
            "object" => JsonType.Object,
            _ => JsonType.None,
        };

        private SchemaPattern Pattern(string pattern)
        {
            if (!_patterns.TryGetValue(pattern, out var compiled))
            {
                compiled = new SchemaPattern(pattern);
                _patterns[pattern] = compiled;
            }

            return compiled;
        }

        private JsonElement? Resolve(string reference)
        {
            var hash = reference.IndexOf('#', StringComparison.Ordinal);
            if (hash < 0)
            {
                return null;
            }

            var current = root;
            foreach (var segment in JsonPointerText.Split(reference[(hash + 1)..]))
            {
                if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(segment, out var child))
                {
                    current = child;
                }
                else if (current.ValueKind == JsonValueKind.Array && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < current.GetArrayLength())
                {
                    current = current[i];
                }
                else
                {
                    return null;
                }
            }

            return current;
        }
    }
}
