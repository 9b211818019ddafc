using Berth.Console.Accounts;

namespace Berth.Console.Components.Pages;

/// <summary>How the accounts pages write an account's scope and state.</summary>
internal static class AccountsScopeText
{
    public static string Of(Account account) =>
        account.Namespaces.Count == 0 && account.StackPrefixes.Count == 0 ? "all stacks"
        : string.Join("; ", new[]
        {
            account.Namespaces.Count == 0 ? null : "namespaces " + string.Join(", ", account.Namespaces),
            account.StackPrefixes.Count == 0 ? null : "prefixes " + string.Join(", ", account.StackPrefixes),
        }.OfType<string>());

    public static string State(Account account, DateTimeOffset now) =>
        account.Disabled ? "disabled"
        : account.LockedUntil is { } until && until > now ? $"locked until {until.UtcDateTime:HH:mm}"
        : "enabled";
}
