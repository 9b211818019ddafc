using System.Collections.Immutable;
using System.CommandLine;
using Berth.Cli.Orchestration;
using Berth.Cli.Output;
using Berth.Compose.Diagnostics;
using Berth.Policy;
using Berth.Policy.Model;

namespace Berth.Cli.Commands.Policy;

/// <summary>
/// The policy read for a command: none, the policy, or the BP1xx diagnostics that kept it from being read;
/// <see cref="Named"/> is what named it (<c>--policy</c>'s value), for messages.
/// </summary>
internal sealed record PolicyChoice(DeployPolicy? Policy, string? Named, ImmutableArray<Diagnostic> Diagnostics)
{
    public static readonly PolicyChoice None = new(null, null, []);

    /// <summary>The Berth config file was needed (no flag named the policy or its mode) and could not be read.</summary>
    public string? ConfigError { get; init; }

    public bool Failed => Diagnostics.Any(d => d.Severity == Severity.Error);
}

/// <summary>
/// <c>--policy</c> and <c>--policy-mode</c>, shared by <c>berth policy check</c>, <c>stack deploy</c> and
/// <c>stack diff</c>. The policy is a built-in profile name or a file (<see cref="PolicySource"/>); the mode, when
/// given, overrides the policy's own (<see cref="DeployPolicy.WithMode"/>). Without the flags, the Berth config file's
/// <c>policy</c> and <c>policyMode</c> apply (a flag always wins, each on its own).
/// </summary>
internal sealed class PolicyOptions
{
    public Option<string?> Policy { get; } = new("--policy")
    {
        Description = $"Deploy policy: a built-in profile ({PolicySource.ProfileNames}) or a policy file (docs/design/policy.md; default: the Berth config file's \"policy\")",
        HelpName = "profile|FILE",
    };

    public Option<string?> Mode { get; } = CreateMode();

    public void AddTo(Command command)
    {
        command.Options.Add(Policy);
        command.Options.Add(Mode);
    }

    /// <summary>
    /// Reads the policy the flags, else the config file, name (none: <see cref="PolicyChoice.None"/>) with the mode
    /// applied. The config file is read only when a flag is missing, so a broken one does not stop a command that names both.
    /// </summary>
    public PolicyChoice Read(ParseResult parse, Func<string, string?> environment, CancellationToken cancellationToken)
    {
        var flagPolicy = parse.GetValue(Policy) is { Length: > 0 } given ? given : null;
        var flagMode = parse.GetValue(Mode);
        var config = BerthConfig.Empty;
        if (flagPolicy is null || flagMode is null)
        {
            var read = BerthConfigReader.Read(environment);
            if (read.Error is { } error)
            {
                return PolicyChoice.None with { ConfigError = error };
            }

            config = read.Config;
        }

        var named = flagPolicy ?? config.Policy;
        if (named is null)
        {
            return PolicyChoice.None;
        }

        var loaded = PolicySource.Load(named, flagPolicy is null ? config.Directory : null, cancellationToken);
        var policy = loaded.Policy is { } p && ModeOf(flagMode ?? config.PolicyMode) is { } mode ? p.WithMode(mode) : loaded.Policy;
        return new PolicyChoice(policy, named, loaded.Diagnostics);
    }

    /// <summary>
    /// For the stack verbs: null when the policy (or none) was read, else the exit code after printing why: its
    /// diagnostics (1), or a <c>--policy-mode</c> without a policy (2, a usage error, never silently ignored).
    /// </summary>
    public int? TryRead(ParseResult parse, string verb, Func<string, string?> environment, CancellationToken cancellationToken, out DeployPolicy? policy)
    {
        var stderr = parse.InvocationConfiguration.Error;
        var choice = Read(parse, environment, cancellationToken);
        policy = choice.Policy;
        if (choice.ConfigError is { } configError)
        {
            stderr.WriteLine($"berth stack {verb}: {configError}");
            stderr.WriteLine("hint: fix the file, or point BERTH_CONFIG at another one");
            return ExitCodes.Usage;
        }

        if (choice.Failed)
        {
            DiagnosticPrinter.Print(stderr, choice.Diagnostics);
            stderr.WriteLine($"berth stack {verb}: the policy '{choice.Named}' cannot be read; nothing was changed");
            return ExitCodes.InvalidInput;
        }

        if (policy is null && parse.GetResult(Mode) is { Implicit: false })
        {
            stderr.WriteLine($"berth stack {verb}: --policy-mode has no policy to apply");
            stderr.WriteLine($"hint: name one with --policy ({PolicySource.ProfileNames}, or a policy file)");
            return ExitCodes.Usage;
        }

        return null;
    }

    public static PolicyMode? ModeOf(string? value) => value switch
    {
        "warn" => PolicyMode.Warn,
        "enforce" => PolicyMode.Enforce,
        _ => null,
    };

    private static Option<string?> CreateMode()
    {
        var mode = new Option<string?>("--policy-mode")
        {
            Description = "enforce: violations are errors (exit 1, nothing written); warn: they are printed as warnings and the command goes on (default: the Berth config file's \"policyMode\", then the policy's own mode)",
            HelpName = "warn|enforce",
        };
        mode.AcceptOnlyFromAmong("warn", "enforce");
        return mode;
    }
}
