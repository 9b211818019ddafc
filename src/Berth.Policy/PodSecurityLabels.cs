using System.Collections.Immutable;
using System.Globalization;
using Berth.Compose;
using Berth.Compose.Diagnostics;
using Berth.Compose.Model;
using Berth.Policy.Evaluation;
using Berth.Policy.Model;
using Berth.Policy.Profiles;

namespace Berth.Policy;

/// <summary>
/// The policy a namespace's Pod Security admission labels
/// (<c>pod-security.kubernetes.io/enforce|warn|audit</c> and their <c>-version</c>) ask for, so Berth reports a
/// violation at its Compose line before the cluster refuses a pod. <see cref="Policy"/> is the primary policy: the
/// enforce level in enforce mode, else the strictest warn/audit level in warn mode; <see cref="StricterWarning"/> is a
/// warn/audit level stricter than the enforce level, in warn mode. Both null when no label sets a level.
/// </summary>
public sealed record PodSecurityPolicy(DeployPolicy? Policy, DeployPolicy? StricterWarning, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>
    /// The primary policy's violations, then the stricter level's warnings that are not already an error at the same
    /// place for the same rule (a privileged container under enforce=baseline, warn=restricted is one error, not two).
    /// </summary>
    public ImmutableArray<Diagnostic> Evaluate(PolicyScope scope, ComposeProject project, CancellationToken cancellationToken = default)
    {
        if (Policy is null)
        {
            return [];
        }

        var primary = PolicyEvaluator.Evaluate(Policy, scope, project, cancellationToken);
        if (StricterWarning is null)
        {
            return primary;
        }

        var reported = primary.Select(d => (d.Code, d.Location, d.YamlPath)).ToHashSet();
        var extra = PolicyEvaluator.Evaluate(StricterWarning, scope, project, cancellationToken).Where(d => !reported.Contains((d.Code, d.Location, d.YamlPath)));
        return [.. Ordering.Stable(primary.Concat(extra), static (a, b) =>
        {
            var order = string.CompareOrdinal(a.Location.File, b.Location.File);
            order = order != 0 ? order : a.Location.Line.CompareTo(b.Location.Line);
            order = order != 0 ? order : a.Location.Column.CompareTo(b.Location.Column);
            return order != 0 ? order : string.CompareOrdinal(a.Code, b.Code);
        })];
    }
}

/// <summary>
/// Reads Pod Security admission labels the way the admission controller does
/// (https://kubernetes.io/docs/concepts/security/pod-security-admission/): a level is <c>privileged</c>,
/// <c>baseline</c> or <c>restricted</c>; a version is <c>latest</c> or <c>v1.MINOR</c>. A level the controller cannot
/// read fails closed for enforce (read as <c>restricted</c>) and open for warn and audit (read as <c>privileged</c>); a
/// version it cannot read is <c>latest</c>. Each such label is a BP108 warning, never an exception.
/// </summary>
public static class PodSecurityLabels
{
    public const string Prefix = "pod-security.kubernetes.io/";
    public const string Enforce = Prefix + "enforce";
    public const string Warn = Prefix + "warn";
    public const string Audit = Prefix + "audit";
    private const string VersionSuffix = "-version";

    private static readonly string[] Modes = ["enforce", "warn", "audit"];

    /// <summary>Strictness order of the built-in profiles, which are the Pod Security Standards levels.</summary>
    private static readonly string[] Levels = ["privileged", "baseline", "restricted"];

    public static PodSecurityPolicy ToPolicy(string namespaceName, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var key in labels.Keys.Where(k => k.StartsWith(Prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var mode = key[Prefix.Length..];
            mode = mode.EndsWith(VersionSuffix, StringComparison.Ordinal) ? mode[..^VersionSuffix.Length] : mode;
            if (!Modes.Contains(mode, StringComparer.Ordinal))
            {
                diagnostics.Add(Warning(namespaceName, key, $"label '{key}' is not a Pod Security admission label; it is ignored", $"the modes are {Prefix}enforce, {Prefix}warn and {Prefix}audit, each with an optional '-version'"));
            }
        }

        var enforce = Read(namespaceName, labels, Enforce, invalidLevel: 2, diagnostics);
        var warn = Read(namespaceName, labels, Warn, invalidLevel: 0, diagnostics);
        var audit = Read(namespaceName, labels, Audit, invalidLevel: 0, diagnostics);

        // audit only records in the cluster's audit log; before a deploy the user hears it as a warning, like warn.
        var warning = (warn, audit) switch
        {
            (null, null) => null,
            ({ } w, null) => w,
            (null, { } a) => a,
            ({ } w, { } a) => w.Level >= a.Level ? w : a,
        };

        if (enforce is not null)
        {
            var stricter = warning is not null && warning.Level > enforce.Level ? Profile(namespaceName, warning, PolicyMode.Warn) : null;
            return new PodSecurityPolicy(Profile(namespaceName, enforce, PolicyMode.Enforce), stricter, diagnostics.ToImmutable());
        }

        return new PodSecurityPolicy(warning is null ? null : Profile(namespaceName, warning, PolicyMode.Warn), null, diagnostics.ToImmutable());
    }

    /// <summary>A mode's level (index into <see cref="Levels"/>), or null when its level label is absent.</summary>
    private static LevelLabel? Read(string namespaceName, IReadOnlyDictionary<string, string> labels, string levelKey, int invalidLevel, ImmutableArray<Diagnostic>.Builder diagnostics)
    {
        var versionKey = levelKey + VersionSuffix;
        var version = "latest";
        if (labels.TryGetValue(versionKey, out var versionText))
        {
            if (IsVersion(versionText))
            {
                version = versionText;
            }
            else
            {
                diagnostics.Add(Warning(namespaceName, versionKey, $"label '{versionKey}' has version '{versionText}', which is not a Pod Security version; read as 'latest', as the admission controller does", "write 'latest' or a Kubernetes minor version such as 'v1.31'"));
            }
        }

        if (!labels.TryGetValue(levelKey, out var levelText))
        {
            return null;
        }

        var level = Array.IndexOf(Levels, levelText);
        if (level < 0)
        {
            level = invalidLevel;
            diagnostics.Add(Warning(namespaceName, levelKey, $"label '{levelKey}' has level '{levelText}', which is not a Pod Security level; read as '{Levels[level]}', as the admission controller does ({(invalidLevel > 0 ? "enforce fails closed" : "warn and audit fail open")})", "write privileged, baseline or restricted"));
        }

        return new LevelLabel(levelKey, level, version);
    }

    private static bool IsVersion(string text)
        => text == "latest"
           || (text.StartsWith("v1.", StringComparison.Ordinal) && text.Length > 3
               && int.TryParse(text.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out _));

    private static DeployPolicy Profile(string namespaceName, LevelLabel label, PolicyMode mode)
    {
        var name = Levels[label.Level];
        // Berth's profiles follow the current Pod Security Standards; a pinned version is named, not emulated.
        return BuiltInProfiles.TryGet(name)! with { Name = $"{label.Key}={name} (version {label.Version}) of namespace '{namespaceName}'", Mode = mode };
    }

    private static Diagnostic Warning(string namespaceName, string key, string message, string hint)
        => new(PolicyCodes.PodSecurityLabel, Severity.Warning, $"namespace '{namespaceName}': {message}", SourceLocation.None, $"metadata.labels[{key}]", hint);

    private sealed record LevelLabel(string Key, int Level, string Version);
}
