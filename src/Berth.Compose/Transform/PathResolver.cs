using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// Makes the relative paths of one syntax-canonical document absolute against a base folder (and expands <c>~</c>):
/// <c>build.context</c> and path-valued <c>build.additional_contexts</c>, <c>env_file[].path</c>, <c>label_file</c>,
/// bind-mount sources, <c>extends.file</c>, <c>develop.watch[].path</c>, and top-level <c>secrets/configs.*.file</c>.
/// </summary>
/// <remarks>
/// Runs per file so that each file's paths are relative to its own folder, before files are merged.
/// <c>include</c> is left alone: the include resolver reads it against the project folder.
/// </remarks>
public static class PathResolver
{
    public static MappingNode Resolve(MappingNode document, string baseDirectory, string? homeDirectory, DiagnosticBag diagnostics)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(baseDirectory);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var resolver = new Resolver(new HostPaths(baseDirectory, homeDirectory), diagnostics);
        return SyntaxNodes.MapValues(document, e => e.Name switch
        {
            "services" when e.Value is MappingNode services => SyntaxNodes.MapValues(services, s => s.Value is MappingNode service ? resolver.Service(service, $"services.{s.Name}") : s.Value),
            "secrets" or "configs" when e.Value is MappingNode resources => SyntaxNodes.MapValues(resources, r => r.Value is MappingNode resource
                ? SyntaxNodes.Update(resource, "file", f => resolver.Path(f, $"{e.Name}.{r.Name}.file"))
                : r.Value),
            _ => e.Value,
        });
    }

    private sealed class Resolver(HostPaths paths, DiagnosticBag diagnostics)
    {
        public MappingNode Service(MappingNode service, string path) => SyntaxNodes.MapValues(service, e => e.Name switch
        {
            "build" when e.Value is MappingNode build => Build(build, $"{path}.build"),
            "env_file" => Items(e.Value, (item, i) => item is MappingNode file ? SyntaxNodes.Update(file, "path", p => Path(p, $"{path}.env_file[{i}].path")) : item),
            "label_file" => Items(e.Value, (item, i) => Path(item, $"{path}.label_file[{i}]")),
            "volumes" => Items(e.Value, (item, i) => item is MappingNode mount && mount["type"] is ScalarNode { Value: "bind" }
                ? SyntaxNodes.Update(mount, "source", p => Path(p, $"{path}.volumes[{i}].source"))
                : item),
            "extends" when e.Value is MappingNode extends => SyntaxNodes.Update(extends, "file", p => Path(p, $"{path}.extends.file")),
            "develop" when e.Value is MappingNode develop => SyntaxNodes.Update(develop, "watch", w => Items(w, (item, i) => item is MappingNode watch
                ? SyntaxNodes.Update(watch, "path", p => p is SequenceNode many ? Items(many, (one, j) => Path(one, $"{path}.develop.watch[{i}].path[{j}]")) : Path(p, $"{path}.develop.watch[{i}].path"))
                : item)),
            _ => e.Value,
        });

        public ComposeNode Path(ComposeNode node, string yamlPath)
        {
            if (node is not ScalarNode { Kind: ScalarKind.String } text)
            {
                return node;
            }

            var resolved = paths.Resolve(text.Value);
            if (resolved is null)
            {
                if (paths.IsUnresolvableHome(text.Value))
                {
                    diagnostics.Warning(DiagnosticCodes.InvalidValue, $"cannot expand '~' in '{text.Value}': the home folder is unknown", text.Location, yamlPath, "set HOME, or write the path in full");
                }

                return node;
            }

            return string.Equals(resolved, text.Value, StringComparison.Ordinal) ? node : new ScalarNode(resolved, ScalarKind.String, text.Location, text.Tag, quoted: true);
        }

        private MappingNode Build(MappingNode build, string path)
        {
            var result = SyntaxNodes.Update(build, "context", c => c is ScalarNode { Kind: ScalarKind.String } context && HostPaths.IsRemoteContext(context.Value) ? c : Path(c, $"{path}.context"));
            return SyntaxNodes.Update(result, "additional_contexts", a => a is MappingNode contexts
                ? SyntaxNodes.MapValues(contexts, e => e.Value is ScalarNode { Kind: ScalarKind.String } context && HostPaths.IsNamedOrRemoteContext(context.Value)
                    ? e.Value
                    : Path(e.Value, $"{path}.additional_contexts.{e.Name}"))
                : a);
        }

        private static ComposeNode Items(ComposeNode node, Func<ComposeNode, int, ComposeNode> rewrite)
            => node is SequenceNode list ? SyntaxNodes.MapItems(list, rewrite) : node;
    }
}
