namespace Berth.Compose.Transform;

/// <summary>Host path arithmetic for <see cref="PathResolver"/>: what counts as relative, <c>~</c> expansion, and which build contexts are not paths.</summary>
internal sealed class HostPaths(string baseDirectory, string? homeDirectory)
{
    private readonly string _baseDirectory = Path.GetFullPath(baseDirectory);

    /// <summary>The absolute form of <paramref name="path"/>, or null when it is left as written (already absolute on another platform, or <c>~</c> without a home folder).</summary>
    public string? Resolve(string path)
    {
        if (path.Length == 0 || IsWindowsAbsolute(path))
        {
            return null;
        }

        if (path[0] == '~' && (path.Length == 1 || path[1] is '/' or '\\'))
        {
            return homeDirectory is null ? null : Path.GetFullPath(Path.Join(homeDirectory, path[1..]));
        }

        return Path.GetFullPath(path, _baseDirectory);
    }

    /// <summary>True for a <c>~</c> path that cannot be expanded because no home folder is known.</summary>
    public bool IsUnresolvableHome(string path)
        => homeDirectory is null && path.Length > 0 && path[0] == '~' && (path.Length == 1 || path[1] is '/' or '\\');

    /// <summary>Git and URL build contexts (<c>https://…</c>, <c>git@host:repo.git</c>, <c>github.com/o/r</c>) are handed to the builder as they are.</summary>
    public static bool IsRemoteContext(string context)
    {
        if (context.Contains("://", StringComparison.Ordinal)
            || context.StartsWith("git@", StringComparison.Ordinal)
            || context.StartsWith("github.com/", StringComparison.Ordinal))
        {
            return true;
        }

        if (context.Length > 0 && context[0] is '.' or '/' or '~')
        {
            return false;
        }

        var fragment = context.IndexOf('#', StringComparison.Ordinal);
        var repository = fragment < 0 ? context : context[..fragment];
        return repository.EndsWith(".git", StringComparison.Ordinal);
    }

    /// <summary>
    /// Additional contexts may also name an image (<c>docker-image://</c>), another service or target
    /// (<c>service:name</c>, <c>target:name</c>) or an OCI layout: any <c>scheme:</c> prefix longer than a drive letter.
    /// </summary>
    public static bool IsNamedOrRemoteContext(string context)
    {
        if (IsRemoteContext(context))
        {
            return true;
        }

        var colon = context.IndexOf(':', StringComparison.Ordinal);
        if (colon < 2)
        {
            return false;
        }

        for (var i = 0; i < colon; i++)
        {
            var c = context[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '+' or '.' or '_'))
            {
                return false;
            }
        }

        return char.IsAsciiLetter(context[0]);
    }

    // "C:\data", "C:/data" and "\\server\share" are absolute on Windows hosts; on Linux they are left as written.
    private static bool IsWindowsAbsolute(string path)
        => path.StartsWith(@"\\", StringComparison.Ordinal)
            || (path.Length >= 3 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/');
}
