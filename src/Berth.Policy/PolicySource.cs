using Berth.Compose.Diagnostics;
using Berth.Policy.Parsing;
using Berth.Policy.Profiles;

namespace Berth.Policy;

/// <summary>
/// What <c>--policy</c> (or the Berth config file's <c>policy</c>) names: a built-in profile (<c>privileged</c>,
/// <c>baseline</c>, <c>restricted</c>) or a policy file. A profile name wins over a file of the same name in the
/// current folder; <c>./restricted</c> names the file.
/// </summary>
public static class PolicySource
{
    /// <summary>The names a value may take besides a file, for help texts and hints (no profile is parsed to list them).</summary>
    public const string ProfileNames = "privileged, baseline, restricted";

    /// <summary>
    /// The policy, or its BP1xx diagnostics: BP106 when the value is neither a profile nor an existing file, BP105 when
    /// the file cannot be read, BP107 when it is too large, and the parser's diagnostics otherwise.
    /// </summary>
    /// <param name="nameOrPath">A profile name or a file path.</param>
    /// <param name="baseDirectory">The folder a relative path is resolved against (the config file's); null: the current folder.</param>
    /// <param name="cancellationToken">Stops parsing.</param>
    public static PolicyParseResult Load(string nameOrPath, string? baseDirectory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(nameOrPath);
        if (IsProfileName(nameOrPath) && BuiltInProfiles.TryGet(nameOrPath) is { } profile)
        {
            return new PolicyParseResult(profile, []);
        }

        var path = baseDirectory is null || Path.IsPathRooted(nameOrPath) ? nameOrPath : Path.Combine(baseDirectory, nameOrPath);
        var here = new SourceLocation(path, 1, 1);
        FileInfo file;
        try
        {
            file = new FileInfo(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return Failed(PolicyCodes.UnknownProfile, $"'{nameOrPath}' is neither a built-in profile nor a file name", SourceLocation.None, $"pass one of {ProfileNames}, or the path of a policy file");
        }

        if (!file.Exists)
        {
            return Failed(PolicyCodes.UnknownProfile, $"'{nameOrPath}' is neither a built-in profile nor an existing file", SourceLocation.None, $"pass one of {ProfileNames}, or the path of a policy file");
        }

        // UTF-8 needs at most 4 bytes a character: a larger file cannot be under the parser's character cap.
        if (file.Length > 4L * PolicyParser.MaxLength)
        {
            return Failed(PolicyCodes.TooLarge, $"the policy file is larger than {PolicyParser.MaxLength} characters", here, "a policy file holds rules, not data; check the file given");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(PolicyCodes.NotAPolicy, $"cannot read the policy file: {ex.Message}", here, "check the path and its permissions");
        }

        return PolicyParser.Parse(text, path, cancellationToken);
    }

    /// <summary>
    /// A policy given as text rather than a file (the cluster's ConfigMap): a built-in profile name alone (surrounding
    /// white space ignored), or a policy document read by the file parser, with <paramref name="origin"/> as the file
    /// name of every diagnostic (e.g. <c>configmap berth-system/berth-policy key policy.yaml</c>).
    /// </summary>
    public static PolicyParseResult Parse(string text, string origin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(origin);
        var trimmed = text.Trim();
        if (IsProfileName(trimmed) && BuiltInProfiles.TryGet(trimmed) is { } profile)
        {
            return new PolicyParseResult(profile, []);
        }

        // A single word is meant as a profile name (a policy document has keys).
        if (trimmed.Length > 0 && trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return Failed(PolicyCodes.UnknownProfile, $"'{trimmed}' is not a built-in profile", new SourceLocation(origin, 1, 1), $"write one of {ProfileNames}, or a policy document");
        }

        return PolicyParser.Parse(text, origin, cancellationToken);
    }

    /// <summary>A bare profile name (no folder, no extension): anything else is a path.</summary>
    private static bool IsProfileName(string value)
        => value.Length > 0 && value.AsSpan().IndexOfAny('/', '\\', '.') < 0;

    private static PolicyParseResult Failed(string code, string message, SourceLocation location, string hint)
        => new(null, [new Diagnostic(code, Severity.Error, message, location, Hint: hint)]);
}
