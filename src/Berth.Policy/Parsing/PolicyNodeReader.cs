using System.Collections.Immutable;
using System.Globalization;
using Berth.Compose.Diagnostics;
using Berth.Policy.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Berth.Policy.Parsing;

/// <summary>
/// Typed reads of policy YAML nodes. Every read that fails reports a diagnostic and returns null, so the caller goes on
/// and the user sees every mistake of the file at once.
/// </summary>
internal sealed class PolicyNodeReader(string file, DiagnosticBag bag)
{
    public SourceLocation Location(YamlNode node)
        => new(file, (int)Math.Max(1, node.Start.Line), (int)Math.Max(1, node.Start.Column));

    public void Error(string code, string message, YamlNode node, string path, string hint)
        => bag.Error(code, message, Location(node), path.Length == 0 ? null : path, hint);

    /// <summary>The entries of a mapping by key, reporting keys not in <paramref name="known"/> and non-string keys.</summary>
    public Dictionary<string, YamlNode> Mapping(YamlMappingNode node, string path, IReadOnlyList<string> known)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in node.Children)
        {
            var key = keyNode is YamlScalarNode { Value: { } k } ? k : null;
            var keyPath = path.Length == 0 ? key ?? "?" : $"{path}.{key ?? "?"}";
            if (key is null)
            {
                Error(PolicyCodes.WrongType, "a key must be a string", keyNode, path, $"known keys: {string.Join(", ", known)}");
            }
            else if (!known.Contains(key, StringComparer.Ordinal))
            {
                Error(PolicyCodes.UnknownKey, $"unknown key '{key}'", keyNode, keyPath, Suggest(key, known));
            }
            else
            {
                result[key] = value;
            }
        }

        return result;
    }

    public Dictionary<string, YamlNode>? MappingOf(YamlNode node, string path, IReadOnlyList<string> known)
    {
        if (node is YamlMappingNode mapping)
        {
            return Mapping(mapping, path, known);
        }

        Error(PolicyCodes.WrongType, "expected a mapping", node, path, $"known keys: {string.Join(", ", known)}");
        return null;
    }

    public IReadOnlyList<YamlNode>? Sequence(YamlNode node, string path)
    {
        if (node is YamlSequenceNode sequence)
        {
            return [.. sequence.Children];
        }

        Error(PolicyCodes.WrongType, "expected a list", node, path, "write a YAML list: [a, b] or one '- item' a line");
        return null;
    }

    public string? String(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value } scalar && !IsNull(scalar))
        {
            return value;
        }

        Error(PolicyCodes.WrongType, "expected a non-empty string", node, path, "write a string value");
        return null;
    }

    public bool? Bool(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } value })
        {
            switch (value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        Error(PolicyCodes.WrongType, "expected true or false", node, path, "write true or false, unquoted");
        return null;
    }

    public int? Int(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } value }
            && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        Error(PolicyCodes.WrongType, "expected an integer", node, path, "write a whole number, unquoted");
        return null;
    }

    public PolicyMode? Mode(YamlNode node, string path)
    {
        switch (String(node, path))
        {
            case null:
                return null;
            case "enforce":
                return PolicyMode.Enforce;
            case "warn":
                return PolicyMode.Warn;
            case var other:
                Error(PolicyCodes.InvalidValue, $"unknown mode '{other}'", node, path, "use 'enforce' (violations are errors) or 'warn' (violations are warnings)");
                return null;
        }
    }

    /// <summary>A list of strings; the items that are not strings are reported and left out.</summary>
    public ImmutableArray<string>? Strings(YamlNode node, string path)
    {
        if (Sequence(node, path) is not { } items)
        {
            return null;
        }

        var result = ImmutableArray.CreateBuilder<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (String(items[i], $"{path}[{i}]") is { } s)
            {
                result.Add(s);
            }
        }

        return result.ToImmutable();
    }

    private static bool IsNull(YamlScalarNode scalar)
        => scalar.Style == ScalarStyle.Plain && scalar.Value is "~" or "null" or "Null" or "NULL";

    private static string Suggest(string key, IReadOnlyList<string> known)
    {
        var close = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase) || Distance(k, key) <= 2
            || (key.Length >= 4 && k.StartsWith(key, StringComparison.OrdinalIgnoreCase)));
        var list = $"known keys: {string.Join(", ", known)}";
        return close is null ? list : $"did you mean '{close}'? {list}";
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2)
        {
            return 3;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
