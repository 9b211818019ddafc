using System.Text.RegularExpressions;
using Berth.Console.Components.Pages;
using Berth.Console.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Console.Accounts;

/// <summary>
/// POST /accounts/…: account administration as plain form posts. The whole group requires the admin role on the server
/// (an operator or viewer is sent to /denied, a visitor to /login) and the antiforgery token, also on the posts
/// that carry no other field. Each answers with a redirect to the page it came from and a result code, except when a
/// password was generated: that answer is a page showing it, once, and never stored.
/// </summary>
internal static partial class AdminEndpoints
{
    public static void Map(WebApplication app)
    {
        var accounts = app.MapGroup("/accounts")
            .RequireAuthorization(policy => policy.RequireRole(ConsoleClaims.AdminOnly))
            .RequireValidAntiforgeryToken();
        accounts.MapPost("/add", AddAsync);
        accounts.MapPost("/{name}/role", async (HttpContext context, AdminService admin, string name, [FromForm(Name = "role")] string? role) =>
            ConsoleRoles.TryParse(role, out var parsed)
                ? Back(name, await admin.ChangeRoleAsync(Actor(context), name, parsed, context.RequestAborted).ConfigureAwait(false))
                : Back(name, new AdminOutcome("bad-role", Ok: false)));
        accounts.MapPost("/{name}/scope", async (HttpContext context, AdminService admin, string name, [FromForm(Name = "namespaces")] string? namespaces, [FromForm(Name = "prefixes")] string? prefixes) =>
            ParseScope(namespaces, prefixes, out var scope) is { } problem
                ? Back(name, new AdminOutcome(problem, Ok: false))
                : Back(name, await admin.ChangeScopeAsync(Actor(context), name, scope, context.RequestAborted).ConfigureAwait(false)));
        accounts.MapPost("/{name}/disable", async (HttpContext context, AdminService admin, string name) =>
            Back(name, await admin.SetDisabledAsync(Actor(context), name, disabled: true, context.RequestAborted).ConfigureAwait(false)));
        accounts.MapPost("/{name}/enable", async (HttpContext context, AdminService admin, string name) =>
            Back(name, await admin.SetDisabledAsync(Actor(context), name, disabled: false, context.RequestAborted).ConfigureAwait(false)));
        accounts.MapPost("/{name}/unlock", async (HttpContext context, AdminService admin, string name) =>
            Back(name, await admin.UnlockAsync(Actor(context), name, context.RequestAborted).ConfigureAwait(false)));
        accounts.MapPost("/{name}/password", ResetPasswordAsync);
    }

    private static async Task<IResult> AddAsync(
        HttpContext context,
        AdminService admin,
        [FromForm(Name = "name")] string? name,
        [FromForm(Name = "role")] string? role,
        [FromForm(Name = "password")] string? password,
        [FromForm(Name = "namespaces")] string? namespaces,
        [FromForm(Name = "prefixes")] string? prefixes)
    {
        name = name?.Trim() ?? string.Empty;
        if (!ConsoleRoles.TryParse(role, out var parsedRole))
        {
            return List("bad-role", name);
        }

        if (ParseScope(namespaces, prefixes, out var scope) is { } scopeProblem)
        {
            return List(scopeProblem, name);
        }

        var (outcome, problems) = await admin.AddAsync(Actor(context), name, parsedRole, password, scope, context.RequestAborted).ConfigureAwait(false);
        if (!outcome.Ok)
        {
            // The account service's sentences name the problem (taken, bad name, short password); codes keep the link honest.
            var code = problems.Any(p => p.Contains("exists already", StringComparison.Ordinal)) ? "taken"
                : problems.Any(p => p.Contains("account name", StringComparison.Ordinal)) ? "bad-name"
                : "weak-password";
            return List(code, name);
        }

        return outcome.IssuedPassword is { } issued ? Issued(context, name, issued, added: true) : List("added", name);
    }

    private static async Task<IResult> ResetPasswordAsync(HttpContext context, AdminService admin, string name, [FromForm(Name = "password")] string? password)
    {
        var (outcome, _) = await admin.ResetPasswordAsync(Actor(context), name, password, context.RequestAborted).ConfigureAwait(false);
        return outcome.IssuedPassword is { } issued ? Issued(context, name, issued, added: false) : Back(name, outcome);
    }

    /// <summary>The generated password, in this one answer only: not cached, not in a URL, not logged.</summary>
    private static RazorComponentResult<AccountsPasswordIssued> Issued(HttpContext context, string name, string password, bool added)
    {
        context.Response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<AccountsPasswordIssued>(new { Account = name, Password = password, Added = added });
    }

    private static string Actor(HttpContext context) => context.User.Identity?.Name ?? "unknown";

    private static RedirectHttpResult Back(string name, AdminOutcome outcome) =>
        TypedResults.Redirect($"/accounts/{Uri.EscapeDataString(name)}?{(outcome.Ok ? "done" : "error")}={outcome.Code}");

    private static RedirectHttpResult List(string code, string name) =>
        TypedResults.Redirect($"/accounts?{(code == "added" ? "done" : "error")}={code}&account={Uri.EscapeDataString(name)}");

    /// <summary>Namespaces and stack-name prefixes as typed (separated by commas or spaces); a problem code when one is not a valid name.</summary>
    public static string? ParseScope(string? namespaces, string? prefixes, out AccountScope scope)
    {
        var namespaceList = Split(namespaces);
        var prefixList = Split(prefixes);
        scope = new AccountScope(namespaceList, prefixList);
        return namespaceList.All(NamespacePattern().IsMatch) ? prefixList.All(PrefixPattern().IsMatch) ? null : "bad-prefix" : "bad-namespace";

        static string[] Split(string? text) =>
            [.. (text ?? string.Empty).Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    // A Kubernetes namespace is a DNS-1123 label.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex NamespacePattern();

    // The start of a stack (Compose project) name: letters, digits, '_', '.', '-'.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")]
    private static partial Regex PrefixPattern();
}
