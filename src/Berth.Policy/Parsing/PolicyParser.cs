using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Policy.Model;
using Berth.Policy.Profiles;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Berth.Policy.Parsing;

/// <summary>The policy read (null when any error was found) and every diagnostic.</summary>
public sealed record PolicyParseResult(DeployPolicy? Policy, ImmutableArray<Diagnostic> Diagnostics);

/// <summary>
/// Reads a policy file with YamlDotNet's representation model (no reflection, so Native AOT safe) and reports every
/// error at once: YAML syntax, unknown keys, wrong types and invalid values, each with file:line and YAML path.
/// </summary>
public static class PolicyParser
{
    /// <summary>Policy files are small; the caps keep a hostile file from exhausting memory or the stack.</summary>
    public const int MaxLength = 1024 * 1024;

    public const int MaxDepth = 32;

    internal static readonly string[] TopKeys = ["version", "kind", "name", "mode", "profile", "rules", "scopes"];
    internal static readonly string[] ScopeKeys = ["name", "namespace", "stackPrefix", "mode", "profile", "rules"];

    public static PolicyParseResult Parse(string text, string file, CancellationToken cancellationToken = default)
        => Parse(text, file, resolveProfile: BuiltInProfiles.TryGetRules, cancellationToken);

    internal static PolicyParseResult Parse(string text, string file, ProfileResolver resolveProfile, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        var root = ReadRoot(text, file, bag);
        if (root is null)
        {
            return new PolicyParseResult(null, bag.ToImmutable());
        }

        cancellationToken.ThrowIfCancellationRequested();
        var reader = new PolicyNodeReader(file, bag);
        var policy = ReadPolicy(reader, root, Path.GetFileName(file), resolveProfile);
        return new PolicyParseResult(bag.HasErrors ? null : policy, bag.ToImmutable());
    }

    private static YamlMappingNode? ReadRoot(string text, string file, DiagnosticBag bag)
    {
        if (text.Length > MaxLength)
        {
            bag.Error(PolicyCodes.TooLarge, $"the policy file is larger than {MaxLength} characters", new SourceLocation(file, 1, 1), hint: "a policy file holds rules, not data; check the file given");
            return null;
        }

        var lastMark = Mark.Empty;
        try
        {
            // A first pass over the events bounds the nesting depth before the recursive representation model is built.
            var parser = new Parser(new StringReader(text));
            var depth = 0;
            while (parser.MoveNext())
            {
                lastMark = parser.Current!.End;
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart:
                        if (++depth > MaxDepth)
                        {
                            var at = parser.Current.Start;
                            bag.Error(PolicyCodes.TooLarge, $"the policy nests deeper than {MaxDepth} levels", Location(file, at), hint: "a policy is a few levels deep; check the file given");
                            return null;
                        }

                        break;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }

            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
            {
                bag.Error(PolicyCodes.NotAPolicy, "the policy file is empty", new SourceLocation(file, 1, 1), hint: "start with 'version: 1' and a 'profile' or 'rules'");
                return null;
            }

            if (stream.Documents.Count > 1)
            {
                bag.Error(PolicyCodes.NotAPolicy, "the policy file holds more than one YAML document", Location(file, stream.Documents[1].RootNode.Start), hint: "put scoped rule sets under 'scopes' in one document");
                return null;
            }

            if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            {
                bag.Error(PolicyCodes.NotAPolicy, "the policy file is not a mapping", Location(file, stream.Documents[0].RootNode.Start), hint: "start with 'version: 1' and a 'profile' or 'rules'");
                return null;
            }

            return mapping;
        }
        catch (YamlException e)
        {
            bag.Error(PolicyCodes.YamlSyntax, $"invalid YAML: {FirstLine(e.Message)}", Location(file, e.Start.Line > 0 ? e.Start : lastMark), hint: "fix the YAML syntax at this line");
            return null;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            // YamlDotNet throws InvalidOperationException and the like instead of a YamlException on some malformed
            // input (found by the fuzz test: a '{' inserted in a block mapping); its message is no help, its place is.
            bag.Error(PolicyCodes.YamlSyntax, "invalid YAML after this point", Location(file, lastMark), hint: "look for an unclosed '{' or '[' or a stray character");
            return null;
        }
    }

    private static DeployPolicy ReadPolicy(PolicyNodeReader reader, YamlMappingNode root, string defaultName, ProfileResolver resolveProfile)
    {
        var keys = reader.Mapping(root, string.Empty, TopKeys);
        if (!keys.TryGetValue("version", out var version))
        {
            reader.Error(PolicyCodes.NotAPolicy, "the policy has no 'version'", root, string.Empty, "add 'version: 1' at the top");
        }
        else if (reader.Int(version, "version") is { } v && v != 1)
        {
            reader.Error(PolicyCodes.InvalidValue, $"policy version {v} is not supported", version, "version", "this Berth reads 'version: 1'");
        }

        if (keys.TryGetValue("kind", out var kind) && reader.String(kind, "kind") is { } k && k != "BerthPolicy")
        {
            reader.Error(PolicyCodes.InvalidValue, $"kind '{k}' is not a policy", kind, "kind", "use 'kind: BerthPolicy' or leave 'kind' out");
        }

        var name = keys.TryGetValue("name", out var nameNode) ? reader.String(nameNode, "name") ?? defaultName : defaultName;
        var mode = keys.TryGetValue("mode", out var modeNode) ? reader.Mode(modeNode, "mode") ?? PolicyMode.Enforce : PolicyMode.Enforce;
        var rules = ReadRuleSet(reader, keys, string.Empty, resolveProfile);

        var scopes = ImmutableArray.CreateBuilder<ScopedRules>();
        if (keys.TryGetValue("scopes", out var scopesNode) && reader.Sequence(scopesNode, "scopes") is { } items)
        {
            var index = 0;
            foreach (var item in items)
            {
                var path = $"scopes[{index++}]";
                if (reader.MappingOf(item, path, ScopeKeys) is { } scopeKeys)
                {
                    scopes.Add(ReadScope(reader, item, scopeKeys, path, resolveProfile));
                }
            }
        }

        return new DeployPolicy(name, mode, rules, scopes.ToImmutable());
    }

    private static ScopedRules ReadScope(PolicyNodeReader reader, YamlNode node, Dictionary<string, YamlNode> keys, string path, ProfileResolver resolveProfile)
    {
        var name = keys.TryGetValue("name", out var n) ? reader.String(n, $"{path}.name") : null;
        var ns = keys.TryGetValue("namespace", out var nsNode) ? reader.String(nsNode, $"{path}.namespace") : null;
        var prefix = keys.TryGetValue("stackPrefix", out var p) ? reader.String(p, $"{path}.stackPrefix") : null;
        if (!keys.ContainsKey("namespace") && !keys.ContainsKey("stackPrefix"))
        {
            reader.Error(PolicyCodes.InvalidValue, "a scope selects no stacks", node, path, "give 'namespace', 'stackPrefix' or both; rules for every stack go at the top level");
        }

        var mode = keys.TryGetValue("mode", out var m) ? reader.Mode(m, $"{path}.mode") : null;
        var rules = ReadRuleSet(reader, keys, path + ".", resolveProfile);
        var label = name ?? (ns is not null && prefix is not null ? $"{ns}/{prefix}*" : ns ?? $"{prefix}*");
        return new ScopedRules(label, new ScopeSelector(ns, prefix), mode, rules, reader.Location(node));
    }

    private static RuleSet ReadRuleSet(PolicyNodeReader reader, Dictionary<string, YamlNode> keys, string prefix, ProfileResolver resolveProfile)
    {
        var baseRules = RuleSet.Empty;
        if (keys.TryGetValue("profile", out var profileNode) && reader.String(profileNode, prefix + "profile") is { } profile)
        {
            if (resolveProfile(profile) is { } found)
            {
                baseRules = found;
            }
            else
            {
                reader.Error(PolicyCodes.UnknownProfile, $"unknown profile '{profile}'", profileNode, prefix + "profile", $"use one of: {string.Join(", ", BuiltInProfiles.Names)}");
            }
        }

        return keys.TryGetValue("rules", out var rulesNode) ? baseRules.Overlay(RuleSetReader.Read(reader, rulesNode, prefix + "rules")) : baseRules;
    }

    private static SourceLocation Location(string file, Mark mark) => new(file, (int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));

    private static string FirstLine(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 1, Idx: 20) - (Line: ...): "; the location is reported separately.
        var text = message.Split('\n')[0];
        var cut = text.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 ? text[(cut + 3)..] : text;
    }
}

/// <summary>Finds a built-in profile's rules by name; null when there is none.</summary>
internal delegate RuleSet? ProfileResolver(string name);
