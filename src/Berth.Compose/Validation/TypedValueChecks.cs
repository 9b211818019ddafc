using System.Collections.Immutable;
using System.Globalization;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Validation;

/// <summary>
/// Checks, after interpolation, every value the Compose Specification types as an integer, a number or a boolean,
/// and gives accepted strings their type (<c>replicas: "3"</c> → 3, <c>init: "true"</c> → true) as compose-go's
/// type casts do. The schema has to accept strings there so that <c>${REPLICAS}</c> passes before interpolation;
/// without this check <c>replicas: two</c> reached the converters, which read it as "not set" and used defaults.
/// </summary>
/// <remarks>
/// Durations and byte sizes are parsed (and refused) by the normaliser; ports by the port checks. Values of the
/// wrong YAML type (<c>replicas: true</c>) are the schema's; only strings are judged here. With interpolation off
/// a value that still holds a variable is left alone.
/// </remarks>
internal static class TypedValueChecks
{
    private enum ValueType
    {
        Integer,
        Number,
        Boolean,
    }

    /// <summary>Paths under <c>services.NAME</c>; <c>*</c> is any key, <c>[]</c> any list item.</summary>
    private static readonly ImmutableArray<(string[] Path, ValueType Type)> ServiceFields =
    [
        (["deploy", "replicas"], ValueType.Integer),
        (["scale"], ValueType.Integer),
        (["deploy", "update_config", "parallelism"], ValueType.Integer),
        (["deploy", "rollback_config", "parallelism"], ValueType.Integer),
        (["deploy", "restart_policy", "max_attempts"], ValueType.Integer),
        (["deploy", "placement", "max_replicas_per_node"], ValueType.Integer),
        (["deploy", "resources", "limits", "pids"], ValueType.Integer),
        (["healthcheck", "retries"], ValueType.Integer),
        (["ulimits", "*"], ValueType.Integer),
        (["ulimits", "*", "soft"], ValueType.Integer),
        (["ulimits", "*", "hard"], ValueType.Integer),
        (["pids_limit"], ValueType.Integer),
        (["cpu_shares"], ValueType.Integer),
        (["cpu_quota"], ValueType.Integer),
        (["cpu_period"], ValueType.Integer),
        (["cpu_count"], ValueType.Integer),
        (["oom_score_adj"], ValueType.Integer),
        (["mem_swappiness"], ValueType.Integer),
        (["blkio_config", "weight"], ValueType.Integer),
        (["cpus"], ValueType.Number),
        (["cpu_percent"], ValueType.Number),
        (["deploy", "resources", "limits", "cpus"], ValueType.Number),
        (["deploy", "resources", "reservations", "cpus"], ValueType.Number),
        (["deploy", "update_config", "max_failure_ratio"], ValueType.Number),
        (["deploy", "rollback_config", "max_failure_ratio"], ValueType.Number),
        (["init"], ValueType.Boolean),
        (["tty"], ValueType.Boolean),
        (["stdin_open"], ValueType.Boolean),
        (["privileged"], ValueType.Boolean),
        (["read_only"], ValueType.Boolean),
        (["oom_kill_disable"], ValueType.Boolean),
        (["attach"], ValueType.Boolean),
        (["healthcheck", "disable"], ValueType.Boolean),
        (["volumes", "[]", "read_only"], ValueType.Boolean),
        (["volumes", "[]", "volume", "nocopy"], ValueType.Boolean),
        (["volumes", "[]", "bind", "create_host_path"], ValueType.Boolean),
        (["depends_on", "*", "required"], ValueType.Boolean),
        (["depends_on", "*", "restart"], ValueType.Boolean),
    ];

    /// <summary>Paths from the top of the document.</summary>
    private static readonly ImmutableArray<(string[] Path, ValueType Type)> TopLevelFields =
    [
        (["networks", "*", "external"], ValueType.Boolean),
        (["networks", "*", "internal"], ValueType.Boolean),
        (["networks", "*", "attachable"], ValueType.Boolean),
        (["networks", "*", "enable_ipv4"], ValueType.Boolean),
        (["networks", "*", "enable_ipv6"], ValueType.Boolean),
        (["volumes", "*", "external"], ValueType.Boolean),
        (["secrets", "*", "external"], ValueType.Boolean),
        (["configs", "*", "external"], ValueType.Boolean),
    ];

    /// <param name="document">The normalised project.</param>
    /// <param name="diagnostics">Where problems go.</param>
    /// <param name="interpolated">False under --no-interpolate: values holding a variable are not judged.</param>
    /// <returns>The document with accepted strings turned into integers, numbers and booleans.</returns>
    public static MappingNode Apply(MappingNode document, DiagnosticBag diagnostics, bool interpolated)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(diagnostics);

        var checker = new Checker(diagnostics, interpolated);
        ComposeNode result = document;
        foreach (var (path, type) in TopLevelFields)
        {
            result = checker.Visit(result, path, 0, string.Empty, type);
        }

        foreach (var (path, type) in ServiceFields)
        {
            result = checker.Visit(result, ["services", "*", .. path], 0, string.Empty, type);
        }

        return (MappingNode)result;
    }

    private sealed class Checker(DiagnosticBag diagnostics, bool interpolated)
    {
        public ComposeNode Visit(ComposeNode node, string[] pattern, int index, string path, ValueType type)
        {
            if (index == pattern.Length)
            {
                return node is ScalarNode scalar ? Check(scalar, path, type) : node;
            }

            var segment = pattern[index];
            switch (node)
            {
                case MappingNode map when segment != "[]":
                    var builder = default(ImmutableArray<MappingEntry>.Builder);
                    for (var i = 0; i < map.Entries.Length; i++)
                    {
                        var entry = map.Entries[i];
                        if (segment != "*" && entry.Name != segment)
                        {
                            continue;
                        }

                        var child = Visit(entry.Value, pattern, index + 1, Join(path, entry.Name), type);
                        if (!ReferenceEquals(child, entry.Value))
                        {
                            builder ??= map.Entries.ToBuilder();
                            builder[i] = new MappingEntry(entry.Key, child);
                        }
                    }

                    return builder is null ? map : new MappingNode(builder.ToImmutable(), map.Location, map.Tag);
                case SequenceNode seq when segment == "[]":
                    var items = default(ImmutableArray<ComposeNode>.Builder);
                    for (var i = 0; i < seq.Items.Length; i++)
                    {
                        var child = Visit(seq.Items[i], pattern, index + 1, $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", type);
                        if (!ReferenceEquals(child, seq.Items[i]))
                        {
                            items ??= seq.Items.ToBuilder();
                            items[i] = child;
                        }
                    }

                    return items is null ? seq : new SequenceNode(items.ToImmutable(), seq.Location, seq.Tag);
                default:
                    return node;
            }
        }

        private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

        private ComposeNode Check(ScalarNode scalar, string path, ValueType type)
        {
            if (scalar.IsNull)
            {
                return scalar;
            }

            return type switch
            {
                ValueType.Integer => Integer(scalar, path),
                ValueType.Number => Number(scalar, path),
                _ => Boolean(scalar, path),
            };
        }

        private ComposeNode Integer(ScalarNode scalar, string path)
        {
            switch (scalar.Kind)
            {
                case ScalarKind.Int:
                    return scalar;
                case ScalarKind.Float when double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsInteger(d) && Math.Abs(d) < 1e15:
                    // The schema counts 3.0 as an integer (JSON Schema does); give it the integer spelling.
                    return new ScalarNode(((long)d).ToString(CultureInfo.InvariantCulture), ScalarKind.Int, scalar.Location, scalar.Tag);
                case ScalarKind.String when !Skipped(scalar):
                    // Go's strconv.Atoi, which compose-go casts with: an optional sign and decimal digits.
                    var text = scalar.Value;
                    var digits = text.StartsWith('-') || text.StartsWith('+') ? text[1..] : text;
                    if (digits.Length > 0 && digits.All(char.IsAsciiDigit)
                        && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
                    {
                        return new ScalarNode(value.ToString(CultureInfo.InvariantCulture), ScalarKind.Int, scalar.Location, scalar.Tag);
                    }

                    Report(scalar, path, "an integer", "write a whole number such as 3");
                    return scalar;
                default:
                    return scalar;
            }
        }

        private ComposeNode Number(ScalarNode scalar, string path)
        {
            if (scalar.Kind != ScalarKind.String || Skipped(scalar))
            {
                return scalar;
            }

            var text = scalar.Value;
            if (text.Length > 0 && !char.IsWhiteSpace(text[0]) && !char.IsWhiteSpace(text[^1])
                && double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var value)
                && double.IsFinite(value))
            {
                return new ScalarNode(value.ToString("R", CultureInfo.InvariantCulture), ScalarKind.Float, scalar.Location, scalar.Tag);
            }

            Report(scalar, path, "a number", "write a number such as 0.5 or 2");
            return scalar;
        }

        private ComposeNode Boolean(ScalarNode scalar, string path)
        {
            if (scalar.Kind != ScalarKind.String || Skipped(scalar))
            {
                return scalar;
            }

            switch (scalar.Value.ToLowerInvariant())
            {
                case "true":
                    return new ScalarNode("true", ScalarKind.Bool, scalar.Location, scalar.Tag);
                case "false":
                    return new ScalarNode("false", ScalarKind.Bool, scalar.Location, scalar.Tag);
                case "y" or "yes" or "on" or "n" or "no" or "off":
                    // compose-go reads YAML 1.1's spellings with a warning; the docker CLI's stack loader refuses them.
                    var truth = scalar.Value.ToLowerInvariant() is "y" or "yes" or "on";
                    diagnostics.Warning(
                        DiagnosticCodes.SchemaValue,
                        $"'{scalar.Value}' is read as {(truth ? "true" : "false")}; YAML 1.2 has no such boolean and docker stack deploy refuses it",
                        scalar.Location,
                        path,
                        $"write {(truth ? "true" : "false")}");
                    return new ScalarNode(truth ? "true" : "false", ScalarKind.Bool, scalar.Location, scalar.Tag);
                default:
                    Report(scalar, path, "a boolean", "write true or false");
                    return scalar;
            }
        }

        private bool Skipped(ScalarNode scalar) => !interpolated && UninterpolatedVariable.IsIn(scalar);

        private void Report(ScalarNode scalar, string path, string expected, string hint)
            => diagnostics.Error(
                DiagnosticCodes.SchemaValue,
                $"'{scalar.Value}' is not {expected}",
                scalar.Location,
                path,
                hint);
    }
}
