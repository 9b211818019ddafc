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
    private static readonly string[] Annotations =
    [
        "$id", "$schema", "$comment", "title", "description", "default", "deprecated", "examples", "definitions", "format", "readOnly", "writeOnly",
    ];

    // Rules hold JsonElements of the schema document and read them on first use: the document must not be disposed.
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

    /// <summary>
    /// The precheck for <paramref name="document"/>, which it keeps; null when the schema uses keywords this precheck
    /// does not implement. Only a scan runs here: each rule is compiled when a document first reaches it, since a
    /// command checks one small file against a schema of thousands of nodes and every command that loads pays this.
    /// </summary>
    public static SchemaPrecheck? TryCreate(JsonDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var root = document.RootElement;
        var compiler = new Compiler(root);
        return SupportScan.IsSupported(root) ? new SchemaPrecheck(compiler.RuleFor(root)) : null;
    }

    /// <summary>Every rule compiled now: for tests, which check that lazy compilation meets nothing unexpected.</summary>
    internal int CompileAll() => _root.CompileAll([]);

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

    /// <summary>What one schema node asserts, compiled from it on first use.</summary>
    private sealed class Body
    {
        public bool AlwaysFalse { get; init; }

        public JsonType Types { get; set; }

        public Dictionary<string, Rule>? Properties { get; set; }

        public (SchemaPattern Pattern, Rule Rule)[]? PatternProperties { get; set; }

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
        public Rule? Ref { get; init; }
    }

    /// <summary>One schema node; its <see cref="Body"/> is compiled the first time a document reaches it.</summary>
    private sealed class Rule(Compiler compiler, JsonElement source)
    {
        private Body? _body;

        // Several threads may check documents at once (the Stack API server validates concurrently); a body is built
        // completely before it is published, and the one published first wins.
        private Body Body => Volatile.Read(ref _body) ?? Publish(compiler.Compile(source));

        /// <summary>Compiles this rule and every rule below it (each once); returns how many were compiled.</summary>
        public int CompileAll(HashSet<Rule> seen)
        {
            if (!seen.Add(this))
            {
                return 0;
            }

            var body = Body;
            var count = 1;
            foreach (var child in Children(body))
            {
                count += child.CompileAll(seen);
            }

            return count;
        }

        /// <summary>
        /// Whether <paramref name="node"/> satisfies this rule; <paramref name="lenient"/> lets uninterpolated
        /// variables through type, enum and pattern checks, as the detailed report does.
        /// </summary>
        public bool Accepts(ComposeNode node, bool lenient)
        {
            var body = Body;
            if (body.Ref is not null)
            {
                return body.Ref.Accepts(node, lenient);
            }

            if (body.AlwaysFalse)
            {
                return false;
            }

            var type = TypeOf(node);
            var variable = lenient && node is ScalarNode scalar && UninterpolatedVariable.IsIn(scalar);
            if (body.Types != JsonType.None && (body.Types & type) == 0)
            {
                // Mirrors the report: "${PORT}" where a number goes is left to interpolation.
                if (!(variable && (body.Types & (JsonType.Integer | JsonType.Number | JsonType.Boolean | JsonType.Null)) != 0))
                {
                    return false;
                }
            }

            if (body.Enum is not null && !variable && !EnumContains(body.Enum, node))
            {
                return false;
            }

            if (body.Pattern is not null && type == JsonType.String && !variable && !body.Pattern.IsMatch(((ScalarNode)node).Value))
            {
                return false;
            }

            if ((body.Minimum is not null || body.Maximum is not null) && NumberOf(node) is { } number
                && ((body.Minimum is { } min && number < min) || (body.Maximum is { } max && number > max)))
            {
                return false;
            }

            if (node is MappingNode map && !AcceptsMapping(body, map, lenient))
            {
                return false;
            }

            if (node is SequenceNode seq && !AcceptsSequence(body, seq, lenient))
            {
                return false;
            }

            if (body.AnyOf is not null && !AnyAccepts(body.AnyOf, node, lenient))
            {
                return false;
            }

            return body.OneOf is null || AcceptsOneOf(body.OneOf, node, lenient);
        }

        private Body Publish(Body body)
        {
            Interlocked.CompareExchange(ref _body, body, null);
            return _body!;
        }

        private static IEnumerable<Rule> Children(Body body)
        {
            Rule?[] singles = [body.Ref, body.AdditionalProperties, body.Items];
            foreach (var rule in singles)
            {
                if (rule is not null)
                {
                    yield return rule;
                }
            }

            foreach (var rule in body.Properties?.Values ?? Enumerable.Empty<Rule>())
            {
                yield return rule;
            }

            foreach (var (_, rule) in body.PatternProperties ?? [])
            {
                yield return rule;
            }

            foreach (var rule in (body.OneOf ?? []).Concat(body.AnyOf ?? []))
            {
                yield return rule;
            }
        }

        private static bool AnyAccepts(Rule[] rules, ComposeNode node, bool lenient)
        {
            foreach (var rule in rules)
            {
                if (rule.Accepts(node, lenient))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool AcceptsOneOf(Rule[] branches, ComposeNode node, bool lenient)
        {
            // As the report decides: two strict matches are an ambiguity; one is fine; with none, a branch
            // that only a "${VAR}" kept from matching counts (that the variable could also fit another
            // branch, "${PORT}" as a number or a string, is no ambiguity in the user's file).
            var strict = 0;
            foreach (var branch in branches)
            {
                if (branch.Accepts(node, lenient: false) && ++strict > 1)
                {
                    return false;
                }
            }

            return strict == 1 || (lenient && AnyAccepts(branches, node, lenient: true));
        }

        private static bool AcceptsMapping(Body body, MappingNode map, bool lenient)
        {
            if (body.Required is not null && !Array.TrueForAll(body.Required, map.ContainsKey))
            {
                return false;
            }

            if (body.Properties is null && body.PatternProperties is null && body.AdditionalProperties is null)
            {
                return true;
            }

            foreach (var entry in map.Entries)
            {
                var name = entry.Name;
                var matched = false;
                if (body.Properties is not null && body.Properties.TryGetValue(name, out var property))
                {
                    matched = true;
                    if (!property.Accepts(entry.Value, lenient))
                    {
                        return false;
                    }
                }

                if (body.PatternProperties is not null)
                {
                    foreach (var (pattern, rule) in body.PatternProperties)
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

                if (!matched && body.AdditionalProperties is not null && !body.AdditionalProperties.Accepts(entry.Value, lenient))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool AcceptsSequence(Body body, SequenceNode seq, bool lenient)
        {
            if (body.Items is not null)
            {
                foreach (var item in seq.Items)
                {
                    if (!body.Items.Accepts(item, lenient))
                    {
                        return false;
                    }
                }
            }

            if (body.UniqueItems && seq.Count > 1)
            {
                // JSON equality (1 equals 1.0, key order ignored), as the schema defines it.
                var values = new JsonNode?[seq.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = ComposeNodeJson.ToJsonNode(seq.Items[i]);
                }

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

        private static bool EnumContains(JsonNode?[] candidates, ComposeNode node)
        {
            var value = ComposeNodeJson.ToJsonNode(node);
            foreach (var candidate in candidates)
            {
                if (JsonNode.DeepEquals(candidate, value))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Whether every node reachable from the root uses only keywords the precheck implements, decided before any rule
    /// is compiled (a rule compiled later cannot turn out unsupported). It reads the document without building
    /// anything: keyword names are compared in place.
    /// </summary>
    private static class SupportScan
    {
        public static bool IsSupported(JsonElement root) => Node(root, root, new HashSet<string>(StringComparer.Ordinal));

        private static bool Node(JsonElement node, JsonElement root, HashSet<string> references)
        {
            if (node.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return true;
            }

            if (node.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (node.TryGetProperty("$ref"u8, out var reference) && reference.ValueKind == JsonValueKind.String)
            {
                var target = reference.GetString()!;
                return !references.Add(target) || (Compiler.Resolve(root, target) is { } resolved && Node(resolved, root, references));
            }

            foreach (var property in node.EnumerateObject())
            {
                if (!Keyword(property, root, references))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool Keyword(JsonProperty property, JsonElement root, HashSet<string> references)
        {
            var value = property.Value;
            if (property.NameEquals("properties"u8) || property.NameEquals("patternProperties"u8))
            {
                return value.ValueKind == JsonValueKind.Object && AllValues(value, root, references);
            }

            if (property.NameEquals("additionalProperties"u8))
            {
                return Node(value, root, references);
            }

            if (property.NameEquals("items"u8))
            {
                return value.ValueKind is JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False && Node(value, root, references);
            }

            if (property.NameEquals("oneOf"u8) || property.NameEquals("anyOf"u8))
            {
                return value.ValueKind == JsonValueKind.Array && AllItems(value, root, references);
            }

            return property.NameEquals("type"u8)
                || (value.ValueKind == JsonValueKind.Array && (property.NameEquals("enum"u8) || property.NameEquals("required"u8)))
                || (value.ValueKind == JsonValueKind.String && property.NameEquals("pattern"u8))
                || (value.ValueKind is JsonValueKind.True or JsonValueKind.False && property.NameEquals("uniqueItems"u8))
                || (value.ValueKind == JsonValueKind.Number && (property.NameEquals("minimum"u8) || property.NameEquals("maximum"u8)))
                || IsAnnotation(property);
        }

        private static bool IsAnnotation(JsonProperty property)
        {
            foreach (var annotation in Annotations)
            {
                if (property.NameEquals(annotation))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool AllValues(JsonElement map, JsonElement root, HashSet<string> references)
        {
            foreach (var property in map.EnumerateObject())
            {
                if (!Node(property.Value, root, references))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool AllItems(JsonElement array, JsonElement root, HashSet<string> references)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (!Node(item, root, references))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// Compiles from the read-only <see cref="JsonElement"/> view of the schema: parsing it is one buffer, where a
    /// <see cref="JsonNode"/> tree is an object per node, and this runs on every start of every command that loads.
    /// Compiling one node is shallow (its subschemas become rules compiled on their own first use), so a command pays
    /// only for the part of the schema its file reaches.
    /// </summary>
    private sealed class Compiler(JsonElement root)
    {
        // Shared by several threads compiling at once; each compilation is short.
        private readonly Lock _gate = new();

        // $ref is the only way a schema node is reached twice (and the only way to recurse), so rules are shared by
        // reference target; every other node gets its own rule because the schema is otherwise a tree.
        private readonly Dictionary<string, Rule> _byReference = new(StringComparer.Ordinal);
        private readonly Dictionary<string, SchemaPattern> _patterns = new(StringComparer.Ordinal);

        public Rule RuleFor(JsonElement node) => new(this, node);

        public Body Compile(JsonElement node)
        {
            if (node.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return new Body { AlwaysFalse = node.ValueKind == JsonValueKind.False };
            }

            // SupportScan has seen every reachable node, so anything else here is a bug, not a schema to tolerate.
            if (node.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException($"the Compose schema has a {node.ValueKind} where a schema belongs");
            }

            lock (_gate)
            {
                if (node.TryGetProperty("$ref"u8, out var reference) && reference.ValueKind == JsonValueKind.String)
                {
                    return new Body { Ref = Shared(reference.GetString()!) };
                }

                var body = new Body();
                foreach (var property in node.EnumerateObject())
                {
                    Apply(body, property.Name, property.Value);
                }

                return body;
            }
        }

        /// <summary>Resolves a local JSON pointer reference (<c>#/definitions/…</c>) in <paramref name="root"/>.</summary>
        public static JsonElement? Resolve(JsonElement root, string reference)
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

        private Rule Shared(string target)
        {
            if (!_byReference.TryGetValue(target, out var shared))
            {
                var resolved = Resolve(root, target) ?? throw new InvalidOperationException($"the Compose schema's reference {target} does not resolve");
                shared = RuleFor(resolved);
                _byReference[target] = shared;
            }

            return shared;
        }

        private void Apply(Body body, string keyword, JsonElement value)
        {
            switch (keyword)
            {
                case "type":
                    body.Types = Types(value);
                    break;
                case "properties":
                    body.Properties = new Dictionary<string, Rule>(StringComparer.Ordinal);
                    foreach (var property in value.EnumerateObject())
                    {
                        body.Properties[property.Name] = RuleFor(property.Value);
                    }

                    break;
                case "patternProperties":
                    var patterned = new List<(SchemaPattern, Rule)>();
                    foreach (var property in value.EnumerateObject())
                    {
                        patterned.Add((Pattern(property.Name), RuleFor(property.Value)));
                    }

                    body.PatternProperties = [.. patterned];
                    break;
                case "additionalProperties":
                    body.AdditionalProperties = RuleFor(value);
                    break;
                case "items":
                    body.Items = RuleFor(value);
                    break;
                case "oneOf":
                    body.OneOf = Rules(value);
                    break;
                case "anyOf":
                    body.AnyOf = Rules(value);
                    break;
                case "enum":
                    var values = new JsonNode?[value.GetArrayLength()];
                    for (var i = 0; i < values.Length; i++)
                    {
                        values[i] = JsonNode.Parse(value[i].GetRawText());
                    }

                    body.Enum = values;
                    break;
                case "pattern":
                    body.Pattern = Pattern(value.GetString()!);
                    break;
                case "required":
                    var required = new string[value.GetArrayLength()];
                    for (var i = 0; i < required.Length; i++)
                    {
                        var name = value[i];
                        required[i] = name.ValueKind == JsonValueKind.String ? name.GetString()! : name.GetRawText();
                    }

                    body.Required = required;
                    break;
                case "uniqueItems":
                    body.UniqueItems = value.ValueKind == JsonValueKind.True;
                    break;
                case "minimum":
                    body.Minimum = value.GetDouble();
                    break;
                case "maximum":
                    body.Maximum = value.GetDouble();
                    break;
                default:
                    // Annotations; SupportScan has refused any other keyword.
                    break;
            }
        }

        private Rule[] Rules(JsonElement array)
        {
            var rules = new Rule[array.GetArrayLength()];
            for (var i = 0; i < rules.Length; i++)
            {
                rules[i] = RuleFor(array[i]);
            }

            return rules;
        }

        private static JsonType Types(JsonElement type)
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return ParseType(type.GetString()!);
            }

            var all = JsonType.None;
            if (type.ValueKind == JsonValueKind.Array)
            {
                foreach (var name in type.EnumerateArray())
                {
                    if (name.ValueKind == JsonValueKind.String)
                    {
                        all |= ParseType(name.GetString()!);
                    }
                }
            }

            return all;
        }

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
    }
}
