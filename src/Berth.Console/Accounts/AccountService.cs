using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Berth.Console.Audit;
using Berth.Console.State;
using Microsoft.AspNetCore.Identity;

namespace Berth.Console.Accounts;

/// <summary>The outcome of a sign-in; the message shown never says whether the name exists.</summary>
internal sealed record SignInOutcome(Account? Account, bool LockedOut);

/// <summary>Creates accounts and checks passwords (ASP.NET Core Identity's hasher), with a lock-out after repeated failures.</summary>
internal sealed partial class AccountService(IConsoleStore store, TimeProvider clock)
{
    public const int MinimumPasswordLength = 12;

    /// <summary>ASP.NET Core Identity's default lock-out (LockoutOptions: 5 failures, 5 minutes).</summary>
    public const int MaxFailedSignIns = 5;

    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    private static readonly PasswordHasher<Account> Hasher = new();

    // Verified when the name is unknown, so an unknown name costs the same PBKDF2 time as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")]
    private static partial Regex NamePattern();

    /// <summary>Why the name cannot be an account name, or null.</summary>
    public static string? NameProblem(string name) =>
        NamePattern().IsMatch(name) ? null : "an account name is 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit";

    /// <summary>Why the password is refused, or null.</summary>
    public static string? PasswordProblem(string password) =>
        password.Length < MinimumPasswordLength ? $"the password must have at least {MinimumPasswordLength} characters"
        : string.IsNullOrWhiteSpace(password) ? "the password must not be blank"
        : null;

    /// <summary>Adds an account; returns the problems (name, password, taken), empty when it was added.</summary>
    public async Task<IReadOnlyList<string>> AddAsync(string name, ConsoleRole role, string password, IReadOnlyList<string> namespaces, IReadOnlyList<string> stackPrefixes, string actor, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (NameProblem(name) is { } nameProblem)
        {
            problems.Add(nameProblem);
        }

        if (PasswordProblem(password) is { } passwordProblem)
        {
            problems.Add(passwordProblem);
        }

        if (problems.Count == 0)
        {
            var account = new Account(name, role, HashPassword(password), NewStamp(), Disabled: false, FailedSignIns: 0, LockedUntil: null, clock.GetUtcNow())
            {
                Namespaces = namespaces,
                StackPrefixes = stackPrefixes,
            };
            if (!await store.AddAccountAsync(account, cancellationToken).ConfigureAwait(false))
            {
                problems.Add($"an account named \"{name}\" exists already");
            }
        }

        await store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), actor, "account.add", name, problems.Count == 0 ? "ok" : "refused", problems.Count == 0 ? $"role {ConsoleRoles.Name(role)}" : string.Join("; ", problems)), cancellationToken).ConfigureAwait(false);
        return problems;
    }

    /// <summary>Checks a password; counts failures and locks the account for <see cref="LockoutDuration"/> after <see cref="MaxFailedSignIns"/>.</summary>
    public async Task<SignInOutcome> SignInAsync(string name, string password, string client, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var account = NameProblem(name) is null ? await store.FindAccountAsync(name, cancellationToken).ConfigureAwait(false) : null;
        if (account is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            await AuditAsync(name, "refused", $"unknown account, from {client}").ConfigureAwait(false);
            return new SignInOutcome(null, LockedOut: false);
        }

        if (account.LockedUntil is { } until && until > now)
        {
            await AuditAsync(account.Name, "refused", $"locked out until {until:u}, from {client}").ConfigureAwait(false);
            return new SignInOutcome(null, LockedOut: true);
        }

        var verdict = Hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed || account.Disabled)
        {
            var failed = account.FailedSignIns + 1;
            var lockedUntil = failed >= MaxFailedSignIns ? now + LockoutDuration : (DateTimeOffset?)null;
            await store.RecordSignInAsync(account.Name, lockedUntil is null ? failed : 0, lockedUntil, null, cancellationToken).ConfigureAwait(false);
            await AuditAsync(account.Name, "refused", (account.Disabled ? "account disabled" : "wrong password") + (lockedUntil is null ? string.Empty : $"; locked out until {lockedUntil:u}") + $", from {client}").ConfigureAwait(false);
            return new SignInOutcome(null, LockedOut: lockedUntil is not null);
        }

        var rehashed = verdict == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(account, password) : null;
        await store.RecordSignInAsync(account.Name, 0, null, rehashed, cancellationToken).ConfigureAwait(false);
        await AuditAsync(account.Name, "ok", $"from {client}").ConfigureAwait(false);
        return new SignInOutcome(account, LockedOut: false);

        Task AuditAsync(string actor, string result, string detail) =>
            store.AppendAuditAsync(new AuditEntry(now, actor, "sign-in", actor, result, detail), cancellationToken);
    }

    /// <summary>A new security stamp: every session signed in with the old one ends at its next request.</summary>
    public static string NewStamp() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    public static string HashPassword(string password) => Hasher.HashPassword(null!, password);
}
