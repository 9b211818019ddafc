using System.Security.Cryptography;
using Berth.Console.Audit;
using Berth.Console.State;

namespace Berth.Console.Accounts;

/// <summary>How an admin's change ended: a code the accounts page turns into a sentence, and a generated password to show once.</summary>
internal sealed record AdminOutcome(string Code, bool Ok, string? IssuedPassword = null)
{
    public static readonly AdminOutcome NotFound = new("not-found", Ok: false);

    public static readonly AdminOutcome LastAdmin = new("last-admin", Ok: false);
}

/// <summary>
/// Account administration (admins only; the endpoints check the role): every change is audited, and those that must
/// end the account's sessions (role, scope, disable, password) change its security stamp, which the cookie check
/// compares on every request. The last enabled admin can be neither disabled nor demoted.
/// </summary>
internal sealed class AdminService(IConsoleStore store, AccountService accounts, TimeProvider clock)
{
    /// <summary>Generated passwords: 20 characters without look-alikes (no 0/O, 1/l/I), about 115 bits.</summary>
    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Adds an account; a blank password is generated and handed back once.</summary>
    public async Task<(AdminOutcome Outcome, IReadOnlyList<string> Problems)> AddAsync(string actor, string name, ConsoleRole role, string? password, AccountScope scope, CancellationToken cancellationToken)
    {
        var issued = string.IsNullOrEmpty(password) ? NewPassword() : null;
        var problems = await accounts.AddAsync(name, role, issued ?? password!, scope.Namespaces, scope.StackPrefixes, actor, cancellationToken).ConfigureAwait(false);
        return (problems.Count == 0 ? new AdminOutcome("added", Ok: true, issued) : new AdminOutcome("refused", Ok: false), problems);
    }

    public Task<AdminOutcome> ChangeRoleAsync(string actor, string name, ConsoleRole role, CancellationToken cancellationToken) =>
        ChangeAsync(actor, name, "account.role", a => (a with { Role = role, SecurityStamp = AccountService.NewStamp() }, $"role {ConsoleRoles.Name(a.Role)} → {ConsoleRoles.Name(role)}"), "role", cancellationToken);

    public Task<AdminOutcome> ChangeScopeAsync(string actor, string name, AccountScope scope, CancellationToken cancellationToken) =>
        ChangeAsync(
            actor,
            name,
            "account.scope",
            a => (a with { Namespaces = scope.Namespaces, StackPrefixes = scope.StackPrefixes, SecurityStamp = AccountService.NewStamp() }, $"namespaces [{string.Join(", ", scope.Namespaces)}], stack prefixes [{string.Join(", ", scope.StackPrefixes)}]"),
            "scope",
            cancellationToken);

    public Task<AdminOutcome> SetDisabledAsync(string actor, string name, bool disabled, CancellationToken cancellationToken) =>
        disabled
            ? ChangeAsync(actor, name, "account.disable", a => (a with { Disabled = true, SecurityStamp = AccountService.NewStamp() }, string.Empty), "disabled", cancellationToken)
            : ChangeAsync(actor, name, "account.enable", a => (a with { Disabled = false }, string.Empty), "enabled", cancellationToken);

    // Unlocking ends no session: a locked account has none it could have opened since.
    public Task<AdminOutcome> UnlockAsync(string actor, string name, CancellationToken cancellationToken) =>
        ChangeAsync(actor, name, "account.unlock", a => (a with { FailedSignIns = 0, LockedUntil = null }, string.Empty), "unlocked", cancellationToken);

    /// <summary>Sets the password (a blank one is generated and handed back once), clears a lock-out and ends the account's sessions.</summary>
    public async Task<(AdminOutcome Outcome, string? Problem)> ResetPasswordAsync(string actor, string name, string? password, CancellationToken cancellationToken)
    {
        var issued = string.IsNullOrEmpty(password) ? NewPassword() : null;
        if (AccountService.PasswordProblem(issued ?? password!) is { } problem)
        {
            await AuditAsync(actor, "account.password", name, "refused", problem, cancellationToken).ConfigureAwait(false);
            return (new AdminOutcome("weak-password", Ok: false), problem);
        }

        var hash = AccountService.HashPassword(issued ?? password!);
        var outcome = await ChangeAsync(
            actor,
            name,
            "account.password",
            a => (a with { PasswordHash = hash, SecurityStamp = AccountService.NewStamp(), FailedSignIns = 0, LockedUntil = null }, issued is null ? "typed by the admin" : "generated"),
            "password",
            cancellationToken).ConfigureAwait(false);
        return (outcome.Ok ? outcome with { IssuedPassword = issued } : outcome, null);
    }

    private async Task<AdminOutcome> ChangeAsync(string actor, string name, string action, Func<Account, (Account Changed, string Detail)> change, string code, CancellationToken cancellationToken)
    {
        var account = await store.FindAccountAsync(name, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            await AuditAsync(actor, action, name, "refused", "no such account", cancellationToken).ConfigureAwait(false);
            return AdminOutcome.NotFound;
        }

        var (changed, detail) = change(account);
        var result = await store.UpdateAccountAsync(changed, cancellationToken).ConfigureAwait(false);
        var outcome = result switch
        {
            AccountUpdate.Updated => new AdminOutcome(code, Ok: true),
            AccountUpdate.NoEnabledAdminLeft => AdminOutcome.LastAdmin,
            _ => AdminOutcome.NotFound,
        };
        await AuditAsync(
            actor,
            action,
            account.Name,
            outcome.Ok ? "ok" : "refused",
            result switch
            {
                AccountUpdate.NoEnabledAdminLeft => "the last enabled admin stays an enabled admin",
                AccountUpdate.NotFound => "no such account",
                _ => detail,
            },
            cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private Task AuditAsync(string actor, string action, string target, string result, string detail, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), actor, action, target, result, detail), cancellationToken);

    private static string NewPassword() => RandomNumberGenerator.GetString(PasswordAlphabet, 20);
}
