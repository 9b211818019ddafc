using Berth.Compose.Diagnostics;
using Berth.StackService;

namespace Berth.Cli.Commands.Policy;

/// <summary>The line that ends a deploy, diff or rollback the policy denied (the violations were printed as they were found).</summary>
internal static class PolicyDenial
{
    public static void Print(TextWriter stderr, string verb, string stack, StackPolicyChecked verdict)
    {
        var errors = verdict.Violations.Count(v => v.Severity == Severity.Error);
        // Only the rule sets that refuse it: a namespace's warn label checked beside the policy did not deny anything.
        var policy = verdict.DeniedBy.IsEmpty ? verdict.Policy : string.Join(" and ", verdict.DeniedBy);
        stderr.WriteLine($"berth stack {verb}: stack {stack} violates policy {policy} ({errors} error{(errors == 1 ? string.Empty : "s")}); nothing was changed");
    }
}
