using System.Collections.Immutable;
using System.Text;
using Berth.Compose.Diagnostics;
using Berth.Compose.Yaml;

namespace Berth.Compose.Transform;

/// <summary>
/// <c>services.*.volumes</c>: short syntax <c>[SOURCE:]TARGET[:MODES]</c> becomes a long-syntax mapping. A source that
/// looks like a path (<c>.</c>, <c>/</c>, <c>~</c>, <c>\\</c> or a Windows drive) is a bind mount, any other source a
/// named volume, and no source an anonymous volume, as in docker's loader (<c>C:\data:D:\config:rw</c> is a bind of
/// <c>C:\data</c> on <c>D:\config</c>).
/// </summary>
internal static class VolumeSyntax
{
    private const string Hint = "use [SOURCE:]TARGET[:MODES] such as \"data:/var/lib/data\", \"./src:/app:ro\" or \"/cache\" "
        + "(modes: ro, rw, z, Z, nocopy, shared, rshared, slave, rslave, private, rprivate, cached, delegated, consistent), or the long syntax";

    private static readonly string[] Propagations = ["shared", "rshared", "slave", "rslave", "private", "rprivate"];

    public static ComposeNode Canonicalize(ComposeNode node, string path, SyntaxContext context)
    {
        if (node is not SequenceNode seq)
        {
            return node;
        }

        return SyntaxNodes.MapItems(seq, (item, i) =>
        {
            if (item is not ScalarNode { Kind: not ScalarKind.Null } text)
            {
                return item;
            }

            if (!TryParse(text.AsString(), out var mount, out var error))
            {
                if (SyntaxNodes.IsUninterpolated(text.AsString()))
                {
                    return item;
                }

                context.Error(DiagnosticCodes.InvalidValue, $"invalid volume '{text.AsString()}': {error}", item, $"{path}[{i}]", Hint);
                return item;
            }

            return ToNode(mount, item.Location);
        });
    }

    internal sealed record Mount(string Type, string? Source, string Target)
    {
        public bool ReadOnly { get; set; }

        public bool NoCopy { get; set; }

        public string? Propagation { get; set; }

        public string? SELinux { get; set; }

        public string? Consistency { get; set; }
    }

    internal static bool TryParse(string spec, out Mount mount, out string error)
    {
        mount = null!;
        error = string.Empty;
        if (spec.Length == 0)
        {
            error = "the volume is empty";
            return false;
        }

        // One or two characters cannot hold a separator: an anonymous volume on a short container path.
        if (spec.Length <= 2)
        {
            mount = new Mount("volume", null, spec);
            return true;
        }

        var sections = new List<string>(3);
        var buffer = new StringBuilder();
        var bufferRunes = 0;
        var firstIsLetter = false;
        var substitutionDepth = 0;
        for (var i = 0; i <= spec.Length; i += i < spec.Length && char.IsSurrogatePair(spec, i) ? 2 : 1)
        {
            var atEnd = i == spec.Length;
            var c = atEnd ? '\0' : spec[i];

            // ${VAR:-default} left by --no-interpolate holds colons that are not separators.
            if (!atEnd && c == '$' && i + 1 < spec.Length && spec[i + 1] == '{')
            {
                substitutionDepth++;
            }
            else if (!atEnd && c == '}' && substitutionDepth > 0)
            {
                substitutionDepth--;
            }

            // As docker's loader: a colon after a section's single letter is a Windows drive ("C:\data", "D:"), in
            // the source, the target and the modes alike.
            var isSeparator = atEnd || (c == ':' && substitutionDepth == 0 && !(bufferRunes == 1 && firstIsLetter));
            if (!isSeparator)
            {
                if (bufferRunes == 0)
                {
                    firstIsLetter = Rune.DecodeFromUtf16(spec.AsSpan(i), out var rune, out _) == System.Buffers.OperationStatus.Done && Rune.IsLetter(rune);
                }

                buffer.Append(c);
                if (char.IsSurrogatePair(spec, i))
                {
                    buffer.Append(spec[i + 1]);
                }

                bufferRunes++;
                continue;
            }

            if (buffer.Length == 0)
            {
                error = "empty section between colons";
                return false;
            }

            if (sections.Count == 3)
            {
                error = "too many colons";
                return false;
            }

            sections.Add(buffer.ToString());
            buffer.Clear();
            bufferRunes = 0;
        }

        var source = sections.Count >= 2 ? sections[0] : null;
        var target = CleanTarget(sections.Count >= 2 ? sections[1] : sections[0]);
        mount = new Mount(source is null || !IsHostPath(source) ? "volume" : "bind", source, target);
        return sections.Count < 3 || TryApplyModes(sections[2], mount, out error);
    }

    private static bool TryApplyModes(string modes, Mount mount, out string error)
    {
        foreach (var mode in modes.Split(','))
        {
            switch (mode)
            {
                case "ro":
                    mount.ReadOnly = true;
                    break;
                case "rw":
                    mount.ReadOnly = false;
                    break;
                case "nocopy":
                    mount.NoCopy = true;
                    break;
                case "z" or "Z":
                    mount.SELinux = mode;
                    break;
                case "cached" or "delegated" or "consistent":
                    mount.Consistency = mode;
                    break;
                default:
                    if (Array.IndexOf(Propagations, mode) < 0)
                    {
                        // compose-go ignores unknown modes, but the engine rejects them when the container is created.
                        error = $"unknown mode '{mode}'";
                        return false;
                    }

                    mount.Propagation = mode;
                    break;
            }
        }

        error = string.Empty;
        return true;
    }

    private static MappingNode ToNode(Mount mount, SourceLocation at)
    {
        var entries = ImmutableArray.CreateBuilder<MappingEntry>(7);
        entries.Add(SyntaxNodes.Entry("type", ScalarNode.String(mount.Type, at)));
        if (mount.Source is not null)
        {
            entries.Add(SyntaxNodes.Entry("source", ScalarNode.String(mount.Source, at)));
        }

        entries.Add(SyntaxNodes.Entry("target", ScalarNode.String(mount.Target, at)));
        if (mount.ReadOnly)
        {
            entries.Add(SyntaxNodes.Entry("read_only", ScalarNode.Bool(true, at)));
        }

        var bind = ImmutableArray.CreateBuilder<MappingEntry>();
        if (mount.Type == "bind")
        {
            // Short-syntax binds create a missing host folder, as docker-compose v1 did.
            bind.Add(SyntaxNodes.Entry("create_host_path", ScalarNode.Bool(true, at)));
        }

        if (mount.Propagation is not null)
        {
            bind.Add(SyntaxNodes.Entry("propagation", ScalarNode.String(mount.Propagation, at)));
        }

        if (mount.SELinux is not null)
        {
            bind.Add(SyntaxNodes.Entry("selinux", ScalarNode.String(mount.SELinux, at)));
        }

        if (bind.Count > 0)
        {
            entries.Add(SyntaxNodes.Entry("bind", new MappingNode(bind.ToImmutable(), at)));
        }

        if (mount.NoCopy)
        {
            entries.Add(SyntaxNodes.Entry("volume", SyntaxNodes.Mapping(at, null, SyntaxNodes.Entry("nocopy", ScalarNode.Bool(true, at)))));
        }

        if (mount.Consistency is not null)
        {
            entries.Add(SyntaxNodes.Entry("consistency", ScalarNode.String(mount.Consistency, at)));
        }

        return new MappingNode(entries.ToImmutable(), at);
    }

    internal static bool IsHostPath(string source)
    {
        if (source.Length == 0)
        {
            return false;
        }

        if (source[0] is '.' or '/' or '~' || source.StartsWith(@"\\", StringComparison.Ordinal))
        {
            return true;
        }

        // A drive letter ("C:\\data", "c:/data", "C:data"), as docker's isFilePath.
        return Rune.DecodeFromUtf16(source, out var first, out var length) == System.Buffers.OperationStatus.Done
            && source.Length > length && source[length] == ':' && Rune.IsLetter(first);
    }

    // Container paths are Unix paths: "/data/" and "/data/./x/.." name the same folder as "/data".
    private static string CleanTarget(string target)
    {
        if (target.Length == 0 || target[0] != '/' || !NeedsCleaning(target))
        {
            return target;
        }

        var stack = new List<string>();
        foreach (var segment in target.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            stack.Add(segment);
        }

        return "/" + string.Join('/', stack);
    }

    private static bool NeedsCleaning(string target)
        => (target.Length > 1 && target[^1] == '/')
            || target.Contains("//", StringComparison.Ordinal)
            || target.Contains("/./", StringComparison.Ordinal)
            || target.Contains("/../", StringComparison.Ordinal)
            || target.EndsWith("/.", StringComparison.Ordinal)
            || target.EndsWith("/..", StringComparison.Ordinal);
}
