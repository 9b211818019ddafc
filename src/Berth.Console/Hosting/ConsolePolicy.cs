using Berth.Compose.Diagnostics;
using Berth.Policy;
using Berth.Policy.Model;

namespace Berth.Console.Hosting;

/// <summary>The policy <c>--policy</c> names (null: none), read once at start.</summary>
internal sealed record ConsolePolicy(DeployPolicy? Policy)
{
    /// <summary>
    /// Reads <c>--policy</c> with <c>--policy-mode</c> applied; null after printing why when the console must not start:
    /// a policy that cannot be read (every BP1xx diagnostic with its line), or a mode without a policy.
    /// </summary>
    public static ConsolePolicy? Read(string? nameOrPath, string? mode, TextWriter error, CancellationToken cancellationToken)
    {
        if (nameOrPath is not { Length: > 0 })
        {
            if (mode is null)
            {
                return new ConsolePolicy((DeployPolicy?)null);
            }

            error.WriteLine("berth-console: --policy-mode has no policy to apply");
            error.WriteLine($"hint: name one with --policy ({PolicySource.ProfileNames}, or a policy file)");
            return null;
        }

        var loaded = PolicySource.Load(nameOrPath, null, cancellationToken);
        foreach (var diagnostic in loaded.Diagnostics)
        {
            error.WriteLine($"berth-console: {diagnostic}");
            if (diagnostic.Hint is { } hint)
            {
                error.WriteLine($"  hint: {hint}");
            }
        }

        if (loaded.Policy is not { } policy || loaded.Diagnostics.Any(d => d.Severity == Severity.Error))
        {
            error.WriteLine($"berth-console: --policy {nameOrPath}: the policy cannot be read");
            return null;
        }

        return new ConsolePolicy(mode switch
        {
            "warn" => policy.WithMode(PolicyMode.Warn),
            "enforce" => policy.WithMode(PolicyMode.Enforce),
            _ => policy,
        });
    }
}
