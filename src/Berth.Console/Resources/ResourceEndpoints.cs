using Berth.Console.Accounts;
using Berth.Console.Audit;
using Berth.Console.Hosting;
using Berth.Console.State;
using Berth.Console.Stacks;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Console.Resources;

/// <summary>
/// POST /resources/nodes/{name}/orchestrator: an admin assigns a node to Swarm, Kubernetes or both (form field
/// <c>orchestrator</c> = swarm|kubernetes|mixed). Signed-in accounts only, the antiforgery token checked (400
/// otherwise), admins only (403 for others, audited as refused); every attempt is an audit entry
/// (<c>node.orchestrator</c>, target <c>/resources/nodes/{name}</c>). The answer redirects back to /resources with
/// the outcome as a protected notice.
/// </summary>
internal static class ResourceEndpoints
{
    public const string Page = "/resources";

    public const string AuditAction = "node.orchestrator";

    public static void Map(WebApplication app) =>
        app.MapPost("/resources/nodes/{name}/orchestrator", AssignAsync)
            .RequireAuthorization()
            .RequireValidAntiforgeryToken();

    private static async Task<IResult> AssignAsync(HttpContext context, ConsoleResources resources, IConsoleStore store, StackDetailNotice notice, TimeProvider clock, string name, [FromForm(Name = "orchestrator")] string? orchestrator)
    {
        var ct = context.RequestAborted;
        var actor = context.User.Identity?.Name ?? "unknown";
        var target = $"/resources/nodes/{name}";
        if (!context.User.IsInRole(ConsoleClaims.AdminOnly))
        {
            await store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), actor, AuditAction, target, "refused", $"{orchestrator}: only admins assign nodes"), ct).ConfigureAwait(false);
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        if (!NodeAssignmentLabels.TryParse(orchestrator, out var assignment))
        {
            await store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), actor, AuditAction, target, "refused", "no orchestrator given (swarm, kubernetes or mixed)"), ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(Page, ok: false, "Choose Swarm, Kubernetes or Mixed."));
        }

        var outcome = await resources.AssignAsync(name, assignment, ct).ConfigureAwait(false);
        await store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), actor, AuditAction, target, outcome.Result, outcome.Message), ct).ConfigureAwait(false);
        return Results.LocalRedirect(notice.Redirect(Page, outcome.Ok, outcome.Message));
    }
}
