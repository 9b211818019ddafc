using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>A request to load an included project (one <c>include</c> entry).</summary>
/// <param name="Paths">Absolute paths of the included Compose files (merged in order).</param>
/// <param name="ProjectDirectory">Absolute project folder for the included files.</param>
/// <param name="EnvFiles">Absolute env files for the included project's interpolation.</param>
/// <param name="Location">Where the include entry is, for diagnostics.</param>
public sealed record IncludeRequest(ImmutableArray<string> Paths, string ProjectDirectory, ImmutableArray<string> EnvFiles, SourceLocation Location);

/// <summary>Applies top-level <c>include</c>: loads each included project and adds its resources, rejecting conflicts.</summary>
/// <remarks>
/// Relative paths, <c>project_directory</c> and <c>env_file</c> are resolved against the including project's
/// directory (compose-go resolves them against its working directory). <c>project_directory</c> defaults to the
/// folder of the first path; with no <c>env_file</c> the loader reads <c>.env</c> in that folder. As in compose-go,
/// an env file <c>/dev/null</c> is skipped, and a resource defined identically on both sides is not a conflict.
/// </remarks>
public static class IncludeResolver
{
    private const string IncludeKey = "include";

    /// <summary>The top-level sections an included project contributes (compose-go's importResources).</summary>
    private static readonly (string Section, string Noun)[] Sections =
    [
        ("services", "service"),
        ("networks", "network"),
        ("volumes", "volume"),
        ("secrets", "secret"),
        ("configs", "config"),
        ("models", "model"),
    ];

    /// <summary>
    /// Removes <c>include</c> from <paramref name="document"/> and adds what the included projects define.
    /// <paramref name="loadProject"/> loads an included project to a merged, syntax-canonical document with
    /// absolute paths (null when it failed and reported why). A resource defined both here and in an included
    /// project is an error (BC204).
    /// </summary>
    public static MappingNode Resolve(MappingNode document, string file, string projectDirectory, Func<IncludeRequest, MappingNode?> loadProject, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(projectDirectory);
        ArgumentNullException.ThrowIfNull(loadProject);
        ArgumentNullException.ThrowIfNull(diagnostics);
        _ = file;

        if (!document.TryGet(IncludeKey, out var include))
        {
            return document;
        }

        IEnumerable<ComposeNode> items = include switch
        {
            SequenceNode list => list.Items,
            ScalarNode { IsNull: true } => [],
            _ => [include],
        };

        var result = document.Without(IncludeKey);
        foreach (var item in items)
        {
            if (ReadRequest(item, projectDirectory, diagnostics) is not { } request)
            {
                continue;
            }

            if (loadProject(request) is { } imported)
            {
                result = Import(result, ComposeMerger.ResolveTags(imported), request, diagnostics);
            }
        }

        return result;
    }

    private static IncludeRequest? ReadRequest(ComposeNode item, string projectDirectory, DiagnosticBag diagnostics)
    {
        ComposeNode? pathNode;
        ComposeNode? directoryNode = null;
        ComposeNode? envNode = null;
        if (item is MappingNode entry)
        {
            pathNode = entry["path"];
            directoryNode = entry["project_directory"];
            envNode = entry["env_file"];
        }
        else
        {
            pathNode = item;
        }

        var paths = Strings(pathNode);
        if (paths.IsEmpty)
        {
            diagnostics.Error(
                DiagnosticCodes.FileNotFound,
                "an 'include' entry must name at least one Compose file",
                item.Location,
                IncludeKey,
                "write '- path/to/compose.yaml' or '- path: path/to/compose.yaml'");
            return null;
        }

        var absolutePaths = paths.Select(p => Path.GetFullPath(p, projectDirectory)).ToImmutableArray();
        var directory = directoryNode is ScalarNode { IsNull: false } d && d.AsString().Length > 0
            ? Path.GetFullPath(d.AsString(), projectDirectory)
            : Path.GetDirectoryName(absolutePaths[0])!;
        var envFiles = Strings(envNode)
            .Where(f => f != "/dev/null")
            .Select(f => Path.GetFullPath(f, projectDirectory))
            .ToImmutableArray();
        return new IncludeRequest(absolutePaths, directory, envFiles, item.Location);
    }

    private static ImmutableArray<string> Strings(ComposeNode? node) => node switch
    {
        ScalarNode { IsNull: false } s when s.AsString().Length > 0 => [s.AsString()],
        SequenceNode list => [.. list.Items.OfType<ScalarNode>().Where(s => !s.IsNull).Select(s => s.AsString())],
        _ => [],
    };

    private static MappingNode Import(MappingNode document, MappingNode imported, IncludeRequest request, DiagnosticBag diagnostics)
    {
        var result = document;
        foreach (var (section, noun) in Sections)
        {
            if (imported[section] is not MappingNode theirs || theirs.Count == 0)
            {
                continue;
            }

            var ours = result[section] as MappingNode;
            var entries = ImmutableArray.CreateBuilder<MappingEntry>((ours?.Count ?? 0) + theirs.Count);
            if (ours is not null)
            {
                entries.AddRange(ours.Entries);
            }

            foreach (var entry in theirs.Entries)
            {
                if (ours is not null && ours.TryGetEntry(entry.Name, out var existing))
                {
                    if (!existing.Value.SameValueAs(entry.Value))
                    {
                        diagnostics.Error(
                            DiagnosticCodes.IncludeConflict,
                            $"imported compose file {string.Join(", ", request.Paths)} defines conflicting {noun} {entry.Name} (also defined at {existing.Key.Location})",
                            request.Location,
                            $"{section}.{entry.Name}",
                            $"rename the {noun} on one side, or remove one of the definitions; included resources are not merged");
                    }

                    continue;
                }

                entries.Add(entry);
            }

            var location = ours?.Location ?? theirs.Location;
            result = result.With(section, new MappingNode(entries.ToImmutable(), location));
        }

        return result;
    }
}
