using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Applies a service's <c>env_file</c> (and <c>label_file</c>) entries: their variables go under
/// <c>environment</c> (<c>labels</c>), explicit entries win, key-only entries take the project environment.
/// </summary>
internal sealed class NormalizeEnvironment(NormalizeContext context, NormalizeEnvFileParser parser, DiagnosticBag diagnostics)
{
    private readonly NormalizeContext _context = context;
    private readonly NormalizeEnvFileParser _parser = parser;
    private readonly DiagnosticBag _diagnostics = diagnostics;

    public MappingNode Apply(MappingNode service, string path)
    {
        var result = service;
        if (result.TryGet("env_file", out var envFiles))
        {
            var fromFiles = ReadFiles(envFiles, $"{path}.env_file", labels: false);
            result = fromFiles.Count == 0 && !result.ContainsKey("environment")
                ? result.Without("env_file")
                : result.With("environment", Combine(fromFiles, result["environment"], envFiles.Location)).Without("env_file");
        }

        result = NormalizeNodes.Update(result, "environment", e => e is MappingNode env ? ResolveKeyOnly(env) : e);
        result = NormalizeNodes.UpdateMapping(result, "build", b => NormalizeNodes.Update(b, "args", a => a is MappingNode args ? ResolveKeyOnly(args) : a));

        if (result.TryGet("label_file", out var labelFiles))
        {
            var fromFiles = ReadFiles(labelFiles, $"{path}.label_file", labels: true);
            result = fromFiles.Count == 0 && !result.ContainsKey("labels")
                ? result.Without("label_file")
                : result.With("labels", Combine(fromFiles, result["labels"], labelFiles.Location)).Without("label_file");
        }

        return result;
    }

    // Explicit entries override file entries, even when they are key-only (spec: "even if those values are empty or undefined").
    private static MappingNode Combine(List<MappingEntry> fromFiles, ComposeNode? explicitNode, SourceLocation location)
    {
        var entries = new List<MappingEntry>(fromFiles);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            index[entries[i].Name] = i;
        }

        if (explicitNode is MappingNode explicitMap)
        {
            foreach (var entry in explicitMap.Entries)
            {
                if (index.TryGetValue(entry.Name, out var at))
                {
                    entries[at] = entry;
                }
                else
                {
                    index[entry.Name] = entries.Count;
                    entries.Add(entry);
                }
            }

            return explicitMap.WithEntries(entries);
        }

        return new MappingNode([.. entries], explicitNode?.Location ?? location);
    }

    private MappingNode ResolveKeyOnly(MappingNode environment)
        => NormalizeNodes.MapValues(environment, (name, value) =>
            value is ScalarNode { IsNull: true } && _context.Environment.TryGetValue(name, out var resolved)
                ? ScalarNode.String(resolved, value.Location)
                : value);

    private List<MappingEntry> ReadFiles(ComposeNode files, string path, bool labels)
    {
        var entries = new List<MappingEntry>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var items = files switch
        {
            SequenceNode seq => seq.Items,
            ScalarNode { IsNull: false } single => [single],
            _ => ImmutableArray<ComposeNode>.Empty,
        };

        for (var i = 0; i < items.Length; i++)
        {
            foreach (var (key, value) in ReadFile(items[i], $"{path}[{i}]", labels))
            {
                var entry = new MappingEntry(ScalarNode.String(key, value.Location), value);
                if (index.TryGetValue(key, out var at))
                {
                    entries[at] = entry;
                }
                else
                {
                    index[key] = entries.Count;
                    entries.Add(entry);
                }
            }
        }

        return entries;
    }

    private IEnumerable<(string Key, ScalarNode Value)> ReadFile(ComposeNode item, string path, bool labels)
    {
        // Long form {path, required, format}; a bare string is tolerated in case the syntax stage left one.
        var (pathNode, required, format) = item switch
        {
            MappingNode map => (map["path"] as ScalarNode, !NormalizeNodes.IsFalse(map["required"]), map["format"] as ScalarNode),
            ScalarNode s => (s, true, null),
            _ => (null, true, null),
        };
        var yamlPath = item is MappingNode ? $"{path}.path" : path;
        if (pathNode is null || pathNode.IsNull)
        {
            _diagnostics.Error(DiagnosticCodes.InvalidValue, "env file entry without a path", item.Location, path, "give the file as 'path: ./file.env'");
            return [];
        }

        var file = Path.GetFullPath(pathNode.AsString(), _context.ProjectDirectory);
        if (!File.Exists(file))
        {
            if (required)
            {
                _diagnostics.Error(
                    DiagnosticCodes.FileNotFound,
                    $"{(labels ? "label" : "env")} file {file} not found",
                    pathNode.Location,
                    yamlPath,
                    labels ? "create the file or remove it from 'label_file'" : "create the file, or mark the entry 'required: false' to skip it when missing");
            }

            return [];
        }

        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Error(DiagnosticCodes.FileUnreadable, $"cannot read {file}: {ex.Message}", pathNode.Location, yamlPath);
            return [];
        }

        NormalizeEnvFileParser parse;
        Func<string, string?> lookup;
        if (format is null || format.IsNull)
        {
            parse = _parser;
            lookup = labels ? static _ => null : EnvFileLookup();
        }
        else if (format.AsString() == "raw")
        {
            parse = NormalizeEnvFileParsers.ParseRaw;
            lookup = EnvFileLookup();
        }
        else
        {
            _diagnostics.Error(DiagnosticCodes.InvalidValue, $"unsupported env_file format '{format.AsString()}'", format.Location, $"{path}.format", "use 'format: raw' or leave 'format' out");
            return [];
        }

        return parse(text, file, lookup, _diagnostics, _context.Interpolate)
            .Select(entry => (entry.Key, ScalarNode.String(entry.Value, entry.Location)))
            .ToList();
    }

    private Func<string, string?> EnvFileLookup()
    {
        var environment = _context.Environment;
        return name => environment.TryGetValue(name, out var value) ? value : null;
    }
}
