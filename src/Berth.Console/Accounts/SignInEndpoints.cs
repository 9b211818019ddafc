using Berth.Console.Audit;
using Berth.Console.Hosting;
using Berth.Console.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Console.Accounts;

/// <summary>
/// POST /login and POST /logout: plain form posts (antiforgery checked by the framework for form-bound endpoints),
/// the sign-in rate limited per client address. The login page itself is a Razor component (Components/Pages/Login).
/// </summary>
internal static class SignInEndpoints
{
    public const string RateLimitPolicy = "sign-in";

    public static void Map(WebApplication app)
    {
        app.MapPost("/login", SignInAsync).RequireRateLimiting(RateLimitPolicy).AllowAnonymous();
        app.MapPost("/logout", SignOutAsync).RequireAuthorization().RequireValidAntiforgeryToken();
    }

    private static async Task<IResult> SignInAsync(HttpContext context, AccountService accounts, [FromForm(Name = "name")] string? name, [FromForm(Name = "password")] string? password, [FromForm(Name = "returnUrl")] string? returnUrl)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var outcome = await accounts.SignInAsync(name?.Trim() ?? string.Empty, password ?? string.Empty, client, context.RequestAborted).ConfigureAwait(false);
        var local = IsLocal(returnUrl) ? returnUrl! : "/";
        if (outcome.Account is null)
        {
            // One message for an unknown name and a wrong password; a lock-out is said, as Identity's UI does.
            var error = outcome.LockedOut ? "locked" : "invalid";
            return Results.Redirect($"/login?error={error}&returnUrl={Uri.EscapeDataString(local)}");
        }

        await context.SignInAsync(ConsoleClaims.Scheme, ConsoleClaims.Principal(outcome.Account)).ConfigureAwait(false);
        return Results.LocalRedirect(local);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IConsoleStore store, TimeProvider clock)
    {
        var name = context.User.Identity?.Name ?? "unknown";
        await context.SignOutAsync(ConsoleClaims.Scheme).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), name, "sign-out", name, "ok", string.Empty), context.RequestAborted).ConfigureAwait(false);
        return Results.Redirect("/login");
    }

    /// <summary>Only a path on this site: "/x" but not "//host" or "/\host" (an open redirect otherwise).</summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));
}
