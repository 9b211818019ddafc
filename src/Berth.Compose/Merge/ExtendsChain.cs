using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>
/// Resolves extends chains of one document, across files, remembering each (file, service) result so a service
/// extended by many others is merged once, and the chain being resolved so cycles are reported once.
/// </summary>
internal sealed class ExtendsChain
{
    public const string Key = "extends";

    private readonly FileScope _main;
    private readonly Func<string, MappingNode?> _loadFile;
    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, FileScope?> _scopes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string File, string Service), MappingNode?> _resolved = [];
    private readonly List<Frame> _stack = [];

    public ExtendsChain(string file, MappingNode services, Func<string, MappingNode?> loadFile, DiagnosticBag diagnostics)
    {
        _main = new FileScope(Path.GetFullPath(file), file, services);
        _scopes[_main.Path] = _main;
        _loadFile = loadFile;
        _diagnostics = diagnostics;
    }

    public MappingNode? ResolveInMainFile(string name, MappingNode service) => Resolve(_main, name, service);

    private MappingNode? Resolve(FileScope scope, string name, MappingNode service)
    {
        if (!service.TryGetEntry(Key, out var extends))
        {
            return service;
        }

        var id = (scope.Path, name);
        if (_resolved.TryGetValue(id, out var done))
        {
            return done;
        }

        var cycleStart = _stack.FindIndex(f => f.Scope.Path == scope.Path && f.Service == name);
        if (cycleStart >= 0)
        {
            ReportCycle(cycleStart, scope, name);
            return null;
        }

        _stack.Add(new Frame(scope, name, extends.Key.Location));
        MappingNode? result;
        try
        {
            result = ResolveExtends(scope, name, service, extends);
        }
        finally
        {
            _stack.RemoveAt(_stack.Count - 1);
        }

        _resolved[id] = result;
        return result;
    }

    private MappingNode? ResolveExtends(FileScope scope, string name, MappingNode service, MappingEntry extends)
    {
        var at = extends.Key.Location;
        var path = $"services.{name}.extends";
        if (!TryReadReference(extends.Value, out var reference, out var fileName))
        {
            _diagnostics.Error(
                DiagnosticCodes.ExtendsNotFound,
                $"service '{name}': 'extends' must name a service",
                at,
                path,
                "write 'extends: other' or 'extends: {service: other, file: other.yaml}'");
            return null;
        }

        var target = scope;
        if (fileName is not null)
        {
            var full = Path.GetFullPath(fileName, Path.GetDirectoryName(scope.Path) ?? Directory.GetCurrentDirectory());
            target = LoadScope(full, fileName, name, at, path);
            if (target is null)
            {
                return null;
            }
        }

        if (target.Services is null || !target.Services.TryGet(reference, out var baseNode))
        {
            var known = target.Services is null ? "it defines no services" : $"services defined there: {Known(target.Services)}";
            _diagnostics.Error(
                DiagnosticCodes.ExtendsNotFound,
                $"cannot extend service '{name}': service '{reference}' not found in {target.Display}",
                at,
                path,
                $"check the service name; {known}");
            return null;
        }

        // An empty service ('base:' with nothing under it) extends to nothing but is not an error.
        var baseService = baseNode as MappingNode ?? MappingNode.Empty(baseNode.Location);
        var resolvedBase = Resolve(target, reference, baseService);
        if (resolvedBase is null)
        {
            return null;
        }

        return ComposeMerger.MergeService(name, resolvedBase, service.Without(Key), _diagnostics);
    }

    private static bool TryReadReference(ComposeNode value, out string service, out string? file)
    {
        file = null;
        service = string.Empty;
        switch (value)
        {
            case ScalarNode { IsNull: false } name:
                service = name.AsString();
                return service.Length > 0;
            case MappingNode mapping when mapping["service"] is ScalarNode { IsNull: false } name:
                service = name.AsString();
                file = mapping["file"] is ScalarNode { IsNull: false } f && f.AsString().Length > 0 ? f.AsString() : null;
                return service.Length > 0;
            default:
                return false;
        }
    }

    private FileScope? LoadScope(string fullPath, string written, string service, SourceLocation at, string path)
    {
        if (_scopes.TryGetValue(fullPath, out var scope))
        {
            return scope;
        }

        var document = _loadFile(fullPath);
        if (document is null)
        {
            // A file that exists but failed to load was reported by the loader; a missing one is ours to report.
            if (!File.Exists(fullPath))
            {
                _diagnostics.Error(
                    DiagnosticCodes.ExtendsNotFound,
                    $"cannot extend service '{service}': file '{written}' not found ({fullPath})",
                    at,
                    path,
                    "a relative 'extends.file' is resolved against the folder of the file that contains the 'extends'");
            }

            _scopes[fullPath] = null;
            return null;
        }

        scope = new FileScope(fullPath, fullPath, document["services"] as MappingNode);
        _scopes[fullPath] = scope;
        return scope;
    }

    private void ReportCycle(int start, FileScope scope, string name)
    {
        var frames = _stack.Skip(start).ToList();
        var multiFile = frames.Any(f => f.Scope.Path != scope.Path);
        var steps = frames.Select(f => Describe(f.Scope, f.Service, multiFile)).Append(Describe(scope, name, multiFile));
        _diagnostics.Error(
            DiagnosticCodes.ExtendsCycle,
            $"circular reference with extends: {string.Join(" -> ", steps)}",
            _stack[^1].At,
            $"services.{_stack[^1].Service}.extends",
            "remove one of the 'extends' that form the cycle");
    }

    private string Describe(FileScope scope, string service, bool withFile)
    {
        if (!withFile)
        {
            return service;
        }

        var folder = Path.GetDirectoryName(_main.Path) ?? string.Empty;
        return $"{service} ({Path.GetRelativePath(folder, scope.Path)})";
    }

    private static string Known(MappingNode services)
    {
        const int Shown = 10;
        var names = services.Keys.Take(Shown + 1).ToList();
        var listed = string.Join(", ", names.Take(Shown));
        return names.Count > Shown ? listed + ", …" : names.Count == 0 ? "none" : listed;
    }

    private sealed record FileScope(string Path, string Display, MappingNode? Services);

    private sealed record Frame(FileScope Scope, string Service, SourceLocation At);
}
