using Berth.Compose.Diagnostics;
using Berth.StackService;

namespace Berth.Cli.Commands.Policy;

/// <summary>The line that ends a deploy or diff the policy denied (the violations were printed as they were found).</summary>
internal static class PolicyDenial
{
    public static void Print(TextWriter stderr, string verb, string stack, StackPolicyChecked verdict)
    {
        var errors = verdict.Violations.Count(v => v.Severity == Severity.Error);
        stderr.WriteLine($"berth stack {verb}: stack {stack} violates policy {verdict.Policy} ({errors} error{(errors == 1 ? string.Empty : "s")}); nothing was changed");
    }
}
