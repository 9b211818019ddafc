namespace Berth.Console.Accounts;

/// <summary>What an account may do; each role includes the ones below it.</summary>
internal enum ConsoleRole
{
    /// <summary>Reads stacks and shared resources.</summary>
    Viewer,

    /// <summary>Also deploys, scales and removes stacks.</summary>
    Operator,

    /// <summary>Also manages accounts, node orchestrator labels, and reads the audit log.</summary>
    Admin,
}

/// <summary>
/// A local account. <see cref="Namespaces"/> and <see cref="StackPrefixes"/> limit it when not empty (a stack must
/// match both); <see cref="SecurityStamp"/> changes with the password or the disabled flag, which ends every session
/// signed in before.
/// </summary>
internal sealed record Account(
    string Name,
    ConsoleRole Role,
    string PasswordHash,
    string SecurityStamp,
    bool Disabled,
    int FailedSignIns,
    DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt)
{
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public IReadOnlyList<string> StackPrefixes { get; init; } = [];
}

internal static class ConsoleRoles
{
    public static string Name(ConsoleRole role) => role switch
    {
        ConsoleRole.Admin => "admin",
        ConsoleRole.Operator => "operator",
        _ => "viewer",
    };

    public static bool TryParse(string? text, out ConsoleRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "admin":
                role = ConsoleRole.Admin;
                return true;
            case "operator":
                role = ConsoleRole.Operator;
                return true;
            case "viewer":
                role = ConsoleRole.Viewer;
                return true;
            default:
                role = ConsoleRole.Viewer;
                return false;
        }
    }
}
