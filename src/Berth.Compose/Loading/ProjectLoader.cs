using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Interpolation;
using Berth.Compose.Merge;
using Berth.Compose.Model;
using Berth.Compose.Transform;
using Berth.Compose.Validation;
using Berth.Compose.Yaml;

namespace Berth.Compose.Loading;

/// <summary>
/// The Load stage: files → parse → interpolate → schema check → canonical syntax → paths → include → extends
/// → merge → name → profiles → normalise → semantic checks. Each step lives in its own folder; this class
/// only wires them and does the file I/O.
/// </summary>
public sealed class ProjectLoader
{
    /// <summary>The file name that means standard input (<c>-c -</c>).</summary>
    public const string StandardInputName = "-";

    private readonly LoadOptions _options;
    private readonly DiagnosticBag _diagnostics = new();
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<string, MappingNode?> _extendsCache = new(StringComparer.Ordinal);
    private readonly Stack<string> _includeStack = new();

    private ProjectLoader(LoadOptions options, CancellationToken cancellationToken)
    {
        _options = options;
        _cancellationToken = cancellationToken;
    }

    public static LoadResult Load(LoadOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loader = new ProjectLoader(options, cancellationToken);
        var project = loader.LoadProject();
        var diagnostics = loader._diagnostics.ToImmutable();
        return new LoadResult(diagnostics.Any(d => d.Severity == Severity.Error) ? null : project, diagnostics);
    }

    private ComposeProject? LoadProject()
    {
        var workingDirectory = Path.GetFullPath(_options.WorkingDirectory);
        var files = ResolveFiles(workingDirectory);
        if (files.IsEmpty)
        {
            return null;
        }

        // Standard input has no folder: the working directory is the project directory, as for docker compose -f -.
        var projectDirectory = Path.GetFullPath(_options.ProjectDirectory ?? (files[0] == StandardInputName ? workingDirectory : Path.GetDirectoryName(files[0])!), workingDirectory);
        var envFiles = _options.EnvFiles.Select(f => Path.GetFullPath(f, workingDirectory)).ToImmutableArray();
        var environment = ProjectEnvironment.Build(_options.Environment, envFiles, projectDirectory, _diagnostics);

        // Later stages still run after errors so users see every problem at once; each stage leaves
        // values it cannot read as they were, and the project is discarded at the end.
        var merged = LoadAndMerge(files, projectDirectory, environment);
        if (merged is null)
        {
            return null;
        }

        var name = ResolveName(merged, projectDirectory, environment);
        merged = merged.With("name", ScalarNode.String(name, merged["name"]?.Location ?? SourceLocation.None));
        merged = WarnObsoleteVersion(merged);

        var profiles = _options.Profiles.IsEmpty && environment.TryGetValue("COMPOSE_PROFILES", out var fromEnv)
            ? [.. fromEnv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
            : _options.Profiles;
        merged = ProfileFilter.Apply(merged, profiles, _diagnostics);

        var canonical = ProjectNormalizer.Normalize(merged, new NormalizeContext(name, projectDirectory, environment, _options.Interpolate), _diagnostics);
        canonical = TypedValueChecks.Apply(canonical, _diagnostics, _options.Interpolate);
        SemanticValidator.Validate(canonical, _diagnostics, _options.CheckConsistency);
        return _diagnostics.HasErrors ? null : new ComposeProject(name, projectDirectory, files, canonical, environment);
    }

    private ImmutableArray<string> ResolveFiles(string workingDirectory)
    {
        var named = _options.Files;
        if (named.IsEmpty && _options.Environment.TryGetValue("COMPOSE_FILE", out var composeFile) && composeFile.Length > 0)
        {
            var separator = _options.Environment.TryGetValue("COMPOSE_PATH_SEPARATOR", out var sep) && sep.Length > 0 ? sep : ":";
            named = [.. composeFile.Split(separator, StringSplitOptions.RemoveEmptyEntries)];
        }

        if (named.IsEmpty)
        {
            var discovered = ComposeFileDiscovery.Discover(workingDirectory);
            if (discovered.IsEmpty)
            {
                _diagnostics.Error(
                    DiagnosticCodes.NoComposeFile,
                    $"no Compose file found in {workingDirectory} or its parents",
                    SourceLocation.None,
                    hint: $"name one with -c FILE, or create one of: {string.Join(", ", ComposeFileDiscovery.DefaultNames)}");
            }

            return discovered;
        }

        var result = ImmutableArray.CreateBuilder<string>();
        foreach (var file in named)
        {
            var full = file == StandardInputName ? file : Path.GetFullPath(file, workingDirectory);
            if (full != StandardInputName && !File.Exists(full))
            {
                _diagnostics.Error(DiagnosticCodes.FileNotFound, $"Compose file not found: {file}", SourceLocation.None, hint: "check the path given with -c/--compose-file or COMPOSE_FILE");
                continue;
            }

            result.Add(full);
        }

        return _diagnostics.HasErrors ? [] : result.ToImmutable();
    }

    private MappingNode? LoadAndMerge(ImmutableArray<string> files, string projectDirectory, ImmutableDictionary<string, string> environment)
    {
        MappingNode? merged = null;
        foreach (var file in files)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var document = LoadFile(file, projectDirectory, environment, resolveReferences: true);
            if (document is null)
            {
                continue;
            }

            merged = merged is null ? document : ComposeMerger.Merge(merged, document, _diagnostics);
        }

        return merged;
    }

    /// <summary>Reads one file to a syntax-canonical document with absolute paths (and, when asked, include/extends applied).</summary>
    private MappingNode? LoadFile(string file, string baseDirectory, ImmutableDictionary<string, string> environment, bool resolveReferences)
    {
        string text;
        try
        {
            text = file == StandardInputName ? (_options.StandardInput ?? Console.In).ReadToEnd() : File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _diagnostics.Error(DiagnosticCodes.FileUnreadable, $"cannot read {file}: {ex.Message}", SourceLocation.None);
            return null;
        }

        var displayName = file == StandardInputName ? "<stdin>" : file;
        var documents = YamlTreeReader.Read(text, displayName, _options.Limits, _diagnostics);
        MappingNode? document = null;
        foreach (var root in documents)
        {
            if (root is ScalarNode { IsNull: true })
            {
                continue;
            }

            if (root is not MappingNode map)
            {
                _diagnostics.Error(DiagnosticCodes.NotAMapping, "a Compose file must be a mapping at the top level", root.Location, hint: "start the file with keys such as 'services:'");
                return null;
            }

            var interpolated = _options.Interpolate ? Interpolator.Interpolate(map, Lookup(environment), _diagnostics) : map;
            if (interpolated is MappingNode checkedMap && NulCharacterCheck.Report(checkedMap, _diagnostics))
            {
                return null;
            }

            // Files read only as extends bases are not validated alone (a base may hold incomplete services,
            // as compose-go allows); the services taken from them are validated in the extending file's result.
            if (resolveReferences)
            {
                SchemaValidator.Validate(interpolated, _diagnostics);
            }

            var canonical = SyntaxCanonicalizer.Canonicalize((MappingNode)interpolated, _diagnostics);
            document = document is null ? canonical : ComposeMerger.Merge(document, canonical, _diagnostics);
        }

        if (document is null)
        {
            if (documents.Length > 0 || !_diagnostics.HasErrors)
            {
                _diagnostics.Error(DiagnosticCodes.EmptyFile, "empty compose file", new SourceLocation(displayName, 1, 1), hint: "add a 'services:' section");
            }

            return null;
        }

        document = PathResolver.Resolve(document, baseDirectory, HomeDirectory(), _diagnostics);
        if (!resolveReferences)
        {
            return document;
        }

        document = IncludeResolver.Resolve(document, displayName, baseDirectory, LoadIncludedProject, _diagnostics);
        return ExtendsResolver.Resolve(document, displayName, LoadExtendedFile, _diagnostics);

        MappingNode? LoadExtendedFile(string path)
        {
            if (!_extendsCache.TryGetValue(path, out var cached))
            {
                cached = File.Exists(path) ? LoadFile(path, Path.GetDirectoryName(path)!, environment, resolveReferences: false) : null;
                _extendsCache[path] = cached;
            }

            return cached;
        }
    }

    private MappingNode? LoadIncludedProject(IncludeRequest request)
    {
        var key = string.Join('|', request.Paths);
        if (_includeStack.Contains(key))
        {
            _diagnostics.Error(DiagnosticCodes.IncludeCycle, $"include cycle: {string.Join(" -> ", _includeStack.Reverse().Append(key))}", request.Location, hint: "remove one of the includes that form the cycle");
            return null;
        }

        _includeStack.Push(key);
        try
        {
            var environment = ProjectEnvironment.Build(_options.Environment, request.EnvFiles, request.ProjectDirectory, _diagnostics);
            foreach (var path in request.Paths.Where(p => !File.Exists(p)))
            {
                _diagnostics.Error(DiagnosticCodes.FileNotFound, $"included file not found: {path}", request.Location, hint: "fix the path in 'include'");
            }

            return request.Paths.All(File.Exists) ? LoadAndMerge(request.Paths, request.ProjectDirectory, environment) : null;
        }
        finally
        {
            _includeStack.Pop();
        }
    }

    private string ResolveName(MappingNode merged, string projectDirectory, ImmutableDictionary<string, string> environment)
    {
        if (_options.ProjectName is { } explicitName)
        {
            CheckName(explicitName, "-p/--project-name", SourceLocation.None);
            return explicitName;
        }

        if (environment.TryGetValue("COMPOSE_PROJECT_NAME", out var fromEnv) && fromEnv.Length > 0)
        {
            CheckName(fromEnv, "COMPOSE_PROJECT_NAME", SourceLocation.None);
            return fromEnv;
        }

        if (merged["name"] is ScalarNode { IsNull: false } nameNode && nameNode.AsString().Length > 0)
        {
            CheckName(nameNode.AsString(), "name", nameNode.Location);
            return nameNode.AsString();
        }

        var fromFolder = ProjectNames.Normalize(Path.GetFileName(projectDirectory.TrimEnd(Path.DirectorySeparatorChar)));
        return fromFolder.Length > 0 ? fromFolder : "default";
    }

    private void CheckName(string name, string source, SourceLocation location)
    {
        if (!ProjectNames.IsValid(name))
        {
            _diagnostics.Error(
                DiagnosticCodes.InvalidName,
                $"invalid project name '{name}' (from {source})",
                location,
                "name",
                "use only lower-case letters, digits, '-' and '_', starting with a letter or digit");
        }
    }

    private MappingNode WarnObsoleteVersion(MappingNode merged)
    {
        if (!merged.TryGet("version", out var version))
        {
            return merged;
        }

        _diagnostics.Warning(DiagnosticCodes.DeprecatedKey, VersionKeyWarning.Message, version.Location, "version", VersionKeyWarning.Hint);
        return merged.Without("version");
    }

    private static Func<string, string?> Lookup(ImmutableDictionary<string, string> environment)
        => name => environment.TryGetValue(name, out var value) ? value : null;

    private string? HomeDirectory()
        => _options.Environment.TryGetValue("HOME", out var home) && home.Length > 0 ? home : null;
}
