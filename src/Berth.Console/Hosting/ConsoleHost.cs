using System.Security.Claims;
using System.Threading.RateLimiting;
using Berth.Console.Accounts;
using Berth.Console.Components;
using Berth.Console.Resources;
using Berth.Console.State;
using Berth.Console.Stacks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Berth.Console.Hosting;

/// <summary>Builds and runs the console's web host.</summary>
internal static class ConsoleHost
{
    /// <summary>Sign-in attempts allowed per client address per minute (Dockge allows 20; a console for operators needs fewer).</summary>
    public const int SignInsPerMinute = 10;

    public static async Task<int> RunAsync(ConsoleOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        await using var app = await BuildAsync(options, cancellationToken).ConfigureAwait(false);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
            {
                output.WriteLine($"berth-console: listening on {address}");
            }

            output.WriteLine($"berth-console: data in {options.DataDirectory}");
            output.WriteLine($"berth-console: accounts and audit log in {ConsoleStores.Describe(options.DataDirectory, options.Database)}");
        });
        if ((await app.Services.GetRequiredService<IConsoleStore>().ListAccountsAsync(cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            output.WriteLine($"berth-console: no account yet; create the first admin with: berth-console users add NAME --role admin --data-dir {options.DataDirectory}");
        }

        await app.RunAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    public static async Task<WebApplication> BuildAsync(ConsoleOptions options, CancellationToken cancellationToken)
    {
        DataFolder.Create(options.DataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(ConsoleHost).Assembly.GetName().Name, ContentRootPath = AppContext.BaseDirectory, WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot") });
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // "No XML encryptor configured": expected on Linux; the keys folder is the user's alone (see above).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        var httpsOnly = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(u => u.StartsWith("https://", StringComparison.OrdinalIgnoreCase));

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IConsoleStore>(_ => ConsoleStores.Open(options.DataDirectory, options.Database));
        services.AddSingleton<AccountService>();
        services.AddSingleton<AdminService>();
        services.AddSingleton<ConsoleOrchestrators>();
        services.AddSingleton<ConsoleResources>();
        StackDetailEndpoints.AddStackDetail(services);
        services.AddDeploy();
        services.AddDataProtection()
            .SetApplicationName("berth-console")
            .PersistKeys(options);
        services.AddAuthentication(ConsoleClaims.Scheme).AddCookie(ConsoleClaims.Scheme, cookie =>
        {
            // __Host- makes the browser refuse the cookie unless it is Secure, path /, and without a domain; over plain
            // HTTP (loopback) the name cannot carry the prefix.
            cookie.Cookie.Name = httpsOnly ? "__Host-berth-session" : "berth-session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = httpsOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.Path = "/";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = "/login";
            cookie.LogoutPath = "/logout";
            cookie.AccessDeniedPath = "/denied";
            cookie.ReturnUrlParameter = "returnUrl";
            cookie.Events.OnValidatePrincipal = ValidateAgainstStoreAsync;
        });
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = httpsOnly ? "__Host-berth-antiforgery" : "berth-antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = httpsOnly ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            limiter.AddPolicy(SignInEndpoints.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        services.AddRazorComponents();

        var app = builder.Build();
        await app.Services.GetRequiredService<IConsoleStore>().MigrateAsync(cancellationToken).ConfigureAwait(false);
        app.UseSecurityHeaders();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.UseStackEditScopeGuard();
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        SignInEndpoints.Map(app);
        StackDetailEndpoints.Map(app);
        DeployEndpoints.Map(app);
        AdminEndpoints.Map(app);
        ResourceEndpoints.Map(app);
        app.MapRazorComponents<App>();
        return app;
    }

    /// <summary>Every request: the account must still exist, be enabled and carry the stamp the cookie was issued with.</summary>
    private static async Task ValidateAgainstStoreAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var stamp = context.Principal?.FindFirstValue(ConsoleClaims.SecurityStamp);
        var store = context.HttpContext.RequestServices.GetRequiredService<IConsoleStore>();
        var account = name is null ? null : await store.FindAccountAsync(name, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (account is null || account.Disabled || account.SecurityStamp != stamp)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ConsoleClaims.Scheme).ConfigureAwait(false);
        }
    }
}
