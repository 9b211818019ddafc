using System.Collections.Immutable;
using System.Text.Json;
using Berth.Console.Accounts;
using Berth.Console.Audit;
using Berth.Console.State;
using Berth.StackService;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Console.Stacks;

/// <summary>The JSON the editor posts to /api/stacks/validate (the uploaded files come from the draft, when named).</summary>
internal sealed record ValidateRequest(string? Name, string? Orchestrator, string? Namespace, string? Compose, string? Env, string? Draft);

/// <summary>
/// The create/deploy endpoints: POST /api/stacks/validate (JSON; the antiforgery token in the RequestVerificationToken
/// header, since only form-bound endpoints are checked by the framework), POST /stacks/deploy (a form: the
/// framework checks its token), and GET …/deploy/events (the deploy job's events over server-sent events). Every
/// change is checked against the account's role and scope here, and audited.
/// </summary>
internal static class DeployEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>How often a stream of a job another replica runs reads the store for its end.</summary>
    private static readonly TimeSpan RemotePoll = TimeSpan.FromSeconds(2);

    public static void Map(WebApplication app)
    {
        var operators = new AuthorizeAttribute { Roles = ConsoleClaims.OperatorOrAbove };
        app.MapPost("/api/stacks/validate", ValidateAsync).RequireAuthorization(operators);
        // Signed in is enough to reach it: a viewer's deploy is refused here with 403 and audited, as the stack page's changes are.
        app.MapPost("/stacks/deploy", DeployAsync).RequireAuthorization();
        app.MapGet("/stacks/{orchestrator}/{ns}/{name}/deploy/events", EventsAsync).RequireAuthorization();
    }

    /// <summary>The form's fields as a submission; files newly uploaded replace the draft's, else the draft's are kept.</summary>
    public static DeployInput ReadForm(IFormCollection form, DeployInput? draft)
    {
        var orchestrator = DeployInput.ParseOrchestrator(form["orchestrator"]) ?? StackOrchestrator.Swarm;
        var overrides = Files(form.Files.GetFiles("overrides"));
        var resources = Files(form.Files.GetFiles("resources"));
        return new DeployInput(
            ((string?)form["name"] ?? string.Empty).Trim(),
            orchestrator,
            orchestrator == StackOrchestrator.Kubernetes ? ((string?)form["namespace"] ?? string.Empty).Trim() : string.Empty,
            Normalize(form["compose"]),
            Normalize(form["env"]))
        {
            Overrides = overrides.IsEmpty && draft is not null ? draft.Overrides : overrides,
            ResourceFiles = resources.IsEmpty && draft is not null ? draft.ResourceFiles : resources,
        };
    }

    private static ImmutableArray<SubmittedFile> Files(IReadOnlyList<IFormFile> files) =>
        [.. files.Where(f => f.Length > 0 && f.FileName.Length > 0).Select(f =>
        {
            using var stream = f.OpenReadStream();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return new SubmittedFile(DeployLoader.SafeName(f.FileName), [.. copy.ToArray()]);
        })];

    // Browsers post textareas with CRLF line ends; the loader's lines and columns are the same either way.
    private static string Normalize(string? text) => (text ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal);

    private static async Task<IResult> ValidateAsync(HttpContext context, IAntiforgery antiforgery, DeployLoader loader, DeployTargets targets, DeployDrafts drafts)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "missing or invalid antiforgery token");
        }

        ValidateRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<ValidateRequest>(Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "the body must be a JSON object");
        }

        var draft = await drafts.FindAsync(context.User.Identity!.Name!, request.Draft, context.RequestAborted).ConfigureAwait(false);
        var orchestrator = DeployInput.ParseOrchestrator(request.Orchestrator) ?? StackOrchestrator.Swarm;
        var input = new DeployInput(
            (request.Name ?? string.Empty).Trim(),
            orchestrator,
            orchestrator == StackOrchestrator.Kubernetes ? (request.Namespace ?? string.Empty).Trim() : string.Empty,
            Normalize(request.Compose),
            Normalize(request.Env))
        {
            Overrides = draft?.Overrides ?? [],
            ResourceFiles = draft?.ResourceFiles ?? [],
        };
        var load = loader.Load(input, targets.Available, context.RequestAborted);
        return Results.Json(new { valid = load.Valid, diagnostics = load.Diagnostics }, Json);
    }

    private static async Task<IResult> DeployAsync(HttpContext context, [FromForm] IFormCollection form, DeployLoader loader, DeployTargets targets, DeployDrafts drafts, DeployJobs jobs, DeployReview review, IConsoleStore store, TimeProvider clock)
    {
        var actor = context.User.Identity!.Name!;
        if (!context.User.IsInRole(ConsoleRoles.Name(ConsoleRole.Operator)) && !context.User.IsInRole(ConsoleRoles.Name(ConsoleRole.Admin)))
        {
            await AuditAsync("-", "refused", "the account's role is viewer").ConfigureAwait(false);
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "your account's role does not allow deploying");
        }

        var input = await drafts.FindAsync(actor, form["draft"], context.RequestAborted).ConfigureAwait(false);
        if (input is null)
        {
            await AuditAsync("-", "refused", "no such draft (expired, or not this account's): review again").ConfigureAwait(false);
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "this review has expired: review the stack again");
        }

        if (!await InScopeAsync(context, store, input.Summary).ConfigureAwait(false))
        {
            await AuditOutOfScopeAsync(context, store, input.StackPath).ConfigureAwait(false);
            return OutOfScope;
        }

        // Validated again: what the review showed is not trusted, and invalid input is never deployed.
        var load = loader.Load(input, targets.Available, context.RequestAborted);
        if (!load.Valid)
        {
            var errors = load.Diagnostics.Where(d => d.Severity == "error").ToList();
            await AuditAsync(input.StackPath, "refused", $"invalid: {errors.Count} error(s), first {errors.FirstOrDefault()?.Code}").ConfigureAwait(false);
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "the files do not validate; nothing was deployed", detail: string.Join("\n", errors.Select(e => $"{e.File}:{e.Line}:{e.Column}: {e.Code}: {e.Message}")));
        }

        // Checked again too, before a job starts: the policy (and a namespace's labels) as they are now.
        if (await review.CheckPolicyAsync(input, load, context.RequestAborted).ConfigureAwait(false) is { Denied: true } denied)
        {
            var violations = PolicyViolationView.Of(denied);
            var errors = violations.Where(v => v.Severity == "error").ToList();
            await AuditAsync(input.StackPath, "refused", $"policy {denied.Policy}: {errors.Count} error(s), first {errors[0].Code}").ConfigureAwait(false);
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: $"the stack violates policy {denied.Policy}; nothing was deployed", detail: string.Join("\n", violations));
        }

        if (await jobs.StartJobAsync(input, load, actor, context.RequestAborted).ConfigureAwait(false) is null)
        {
            await AuditAsync(input.StackPath, "refused", "a deploy of this stack is running").ConfigureAwait(false);
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "a deploy of this stack is still running: wait for it to end");
        }

        return Results.Redirect(input.StackPath + "/deploy");

        Task AuditAsync(string target, string result, string detail) =>
            store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), actor, "stack.deploy", target, result, detail), CancellationToken.None);
    }

    private static async Task EventsAsync(HttpContext context, string orchestrator, string ns, string name, DeployJobs jobs, IConsoleStore store)
    {
        var parsed = DeployInput.ParseOrchestrator(orchestrator);
        var summary = new StackSummary(name, 0, parsed ?? StackOrchestrator.Swarm, parsed == StackOrchestrator.Kubernetes && ns != "_" ? ns : string.Empty);
        var path = DeployInput.PathOf(summary.Orchestrator, summary.Namespace, name);
        var job = parsed is null ? null : await jobs.FindAsync(path, context.RequestAborted).ConfigureAwait(false);
        if (job is null || !await InScopeAsync(context, store, summary).ConfigureAwait(false))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var seen = int.TryParse(context.Request.Headers["Last-Event-ID"], out var last) ? last : 0;
        var aborted = context.RequestAborted;
        try
        {
            while (!aborted.IsCancellationRequested)
            {
                var (events, finished, changed) = job.Read(seen);
                foreach (var e in events)
                {
                    await context.Response.WriteAsync($"id: {e.Id}\nevent: {e.Kind}\ndata: {JsonSerializer.Serialize(e, Json)}\n\n", aborted).ConfigureAwait(false);
                    seen = e.Id;
                }

                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
                if (finished)
                {
                    return;
                }

                if (job.Remote)
                {
                    // Another replica runs it: no live progress here; its result arrives through the store.
                    await Task.Delay(RemotePoll, aborted).ConfigureAwait(false);
                    await context.Response.WriteAsync(": waiting for the replica running it\n\n", aborted).ConfigureAwait(false);
                    job = await jobs.FindAsync(path, aborted).ConfigureAwait(false) ?? job;
                    continue;
                }

                // The job's own timeout bounds this wait; a comment line every 15 s keeps proxies from closing the stream.
                await changed.WaitAsync(TimeSpan.FromSeconds(15), aborted).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                if (!changed.IsCompleted)
                {
                    await context.Response.WriteAsync(": keep-alive\n\n", aborted).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away; the job goes on.
        }
    }

    private static readonly IResult OutOfScope = Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "this stack is outside your account's namespaces or name prefixes");

    /// <summary>The audit entry of a review or deploy refused because the stack is outside the account's scope.</summary>
    public static Task AuditOutOfScopeAsync(HttpContext context, IConsoleStore store, string stackPath) =>
        store.AppendAuditAsync(new AuditEntry(context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), context.User.Identity!.Name!, "stack.deploy", stackPath, "refused", "outside the account's scope"), CancellationToken.None);

    /// <summary>Audits the refusal and answers 403, as <c>POST /stacks/deploy</c> does for a stack outside the scope.</summary>
    public static async Task RefuseOutOfScopeAsync(HttpContext context, IConsoleStore store, string stackPath)
    {
        await AuditOutOfScopeAsync(context, store, stackPath).ConfigureAwait(false);
        await OutOfScope.ExecuteAsync(context).ConfigureAwait(false);
    }

    public static async Task<bool> InScopeAsync(HttpContext context, IConsoleStore store, StackSummary stack) =>
        await AccountScope.OfUserAsync(context.User, store, context.RequestAborted).ConfigureAwait(false) is { } scope && scope.Allows(stack);
}
