using System.Security.Claims;

namespace Berth.Console.Accounts;

/// <summary>What the sign-in cookie carries: the account name, its role, and the security stamp checked on every request.</summary>
internal static class ConsoleClaims
{
    public const string SecurityStamp = "berth:stamp";

    public const string Scheme = "berth-console";

    public static ClaimsPrincipal Principal(Account account) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, account.Name),
            new Claim(ClaimTypes.Role, ConsoleRoles.Name(account.Role)),
            new Claim(SecurityStamp, account.SecurityStamp),
        ],
        Scheme,
        ClaimTypes.Name,
        ClaimTypes.Role));

    /// <summary>Role names a page's [Authorize(Roles = …)] lists: each role includes those below it.</summary>
    public const string OperatorOrAbove = "operator,admin";

    public const string AdminOnly = "admin";
}
