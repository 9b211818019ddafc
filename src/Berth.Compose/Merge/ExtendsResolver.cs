using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Merge;

/// <summary>Applies <c>extends</c> (same file and other files, nested, with cycle detection).</summary>
public static class ExtendsResolver
{
    /// <summary>
    /// Resolves every service's <c>extends</c> in <paramref name="document"/>.
    /// <paramref name="loadFile"/> loads another Compose file (absolute path) as a syntax-canonical document
    /// with its relative paths already resolved against that file's folder; it returns null when it failed
    /// (it has reported why).
    /// </summary>
    public static MappingNode Resolve(MappingNode document, string file, Func<string, MappingNode?> loadFile, DiagnosticBag diagnostics)
    {
        // STUB: implemented in the merge work package.
        _ = file;
        _ = loadFile;
        _ = diagnostics;
        return document;
    }
}
