using System.Collections.Immutable;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Berth.Console.Audit;
using Berth.Console.State;
using Berth.StackService;
using Berth.Stacks.Events;
using Microsoft.AspNetCore.Mvc;

namespace Berth.Console.Stacks;

/// <summary>
/// The stack page's endpoints besides the pages themselves: the live snapshot and log streams (server-sent events)
/// and the changes (scale, rollback, remove) as plain form posts. Every one finds the stack within the account's
/// scope first (404 otherwise, the same as for no such stack); every change also needs the operator role (403, and
/// an audit entry saying it was refused) and the antiforgery token (checked by the framework for form-bound endpoints).
/// </summary>
internal static class StackDetailEndpoints
{
    public const string Route = "/stacks/{orchestrator}/{namespace}/{name}";

    /// <summary>Most log lines a follow stream sends before it ends (the page says so); the page keeps fewer.</summary>
    public const int MaxStreamedLines = 100_000;

    /// <summary>The stack page's services: the scoped stack lookup, the shared live poll, the post/redirect/get notices.</summary>
    public static void AddStackDetail(IServiceCollection services)
    {
        services.AddSingleton<StackDetailLocator>();
        services.AddSingleton<StackDetailWatch>();
        services.AddSingleton<StackDetailNotice>();
    }

    public static void Map(WebApplication app)
    {
        var stack = app.MapGroup(Route).RequireAuthorization();
        stack.MapGet("/events", EventsAsync);
        stack.MapGet("/logs/stream", LogsAsync);
        stack.MapPost("/scale", ScaleAsync);
        stack.MapPost("/rollback", RollbackAsync);
        stack.MapPost("/remove", RemoveAsync);
    }

    private static async Task<IResult> EventsAsync(HttpContext context, StackDetailLocator locator, StackDetailWatch watch, string orchestrator, string @namespace, string name)
    {
        if (await locator.FindAsync(context.User, StackAddress.Parse(orchestrator, @namespace, name), context.RequestAborted).ConfigureAwait(false) is not { } target)
        {
            return Results.NotFound();
        }

        var snapshots = watch.WatchAsync(target.Address.Path, ct => StackDetailSnapshot.ReadAsync(target.Service, target.Address.Name, ct), context.RequestAborted);
        return TypedResults.ServerSentEvents(snapshots, eventType: "snapshot");
    }

    private static async Task<IResult> LogsAsync(HttpContext context, StackDetailLocator locator, string orchestrator, string @namespace, string name, [FromQuery] string? service, [FromQuery] string? tail, [FromQuery] string? follow)
    {
        if (await locator.FindAsync(context.User, StackAddress.Parse(orchestrator, @namespace, name), context.RequestAborted).ConfigureAwait(false) is not { } target)
        {
            return Results.NotFound();
        }

        if (!StackLogQuery.TryParse(service, tail, follow, out var options, out var problem))
        {
            return Results.BadRequest(problem);
        }

        return TypedResults.ServerSentEvents(LogEventsAsync(target, options, context.RequestAborted));
    }

    /// <summary>Each line as a "line" event (JSON); an unknown service or an orchestrator failure as one "problem" event; "end" when a non-follow read is done.</summary>
    private static async IAsyncEnumerable<SseItem<string>> LogEventsAsync(StackDetailTarget target, StackLogOptions options, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var lines = target.Service.LogsAsync(target.Address.Name, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var sent = 0;
        try
        {
            while (true)
            {
                string? problem = null;
                bool more;
                try
                {
                    more = await lines.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (e is StackInputException or StackOrchestratorException or StackUsageException or HttpRequestException or IOException)
                {
                    (more, problem) = (false, e.Message);
                }

                if (problem is not null)
                {
                    yield return new SseItem<string>(problem, "problem");
                    yield break;
                }

                if (!more || ++sent > MaxStreamedLines)
                {
                    yield return new SseItem<string>(more ? "limit" : "done", "end");
                    yield break;
                }

                yield return new SseItem<string>(JsonSerializer.Serialize(lines.Current, StackDetailJson.Default.StackLogLine), "line");
            }
        }
        finally
        {
            await lines.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<IResult> ScaleAsync(HttpContext context, StackDetailLocator locator, IConsoleStore store, StackDetailNotice notice, TimeProvider clock, string orchestrator, string @namespace, string name, [FromForm(Name = "service")] string? service, [FromForm(Name = "replicas")] string? replicas)
    {
        var ct = context.RequestAborted;
        if (await locator.FindAsync(context.User, StackAddress.Parse(orchestrator, @namespace, name), ct).ConfigureAwait(false) is not { } target)
        {
            return Results.NotFound();
        }

        var what = $"{service}={replicas}";
        if (await RefuseViewerAsync(target, store, clock, "scale", what, ct).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (string.IsNullOrWhiteSpace(service) || !int.TryParse(replicas, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > 1000)
        {
            await AuditAsync(store, clock, target, "scale", "refused", $"{what}: invalid input", ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: false, "Scale needs a service and a number of replicas from 0 to 1000."));
        }

        // Detached: the page's live view shows the tasks converging; the request does not wait for them.
        StackScaleResult result;
        try
        {
            result = await target.Service.ScaleAsync(target.Address.Name, [new StackScaleTarget(service, count)], new StackScaleOptions { Detach = true }, StackEventSink.None, ct).ConfigureAwait(false);
        }
        catch (StackOrchestratorException e)
        {
            return await FailedAsync(store, clock, notice, target, "scale", what, e, ct).ConfigureAwait(false);
        }

        if (result.Invalid)
        {
            var reasons = string.Join("; ", result.Refused.Select(r => $"{r.Service}: {r.Reason}"));
            await AuditAsync(store, clock, target, "scale", "refused", $"{what}: {reasons}", ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: false, $"Not scaled: {reasons}"));
        }

        var done = string.Join(", ", result.Scaled.Select(s => s.Unchanged ? $"{s.Service} already at {s.To}" : $"{s.Service} from {s.From} to {s.To}"));
        await AuditAsync(store, clock, target, "scale", "ok", done, ct).ConfigureAwait(false);
        return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: true, $"Scaled {done}."));
    }

    private static async Task<IResult> RollbackAsync(HttpContext context, StackDetailLocator locator, IConsoleStore store, StackDetailNotice notice, TimeProvider clock, Hosting.ConsoleOptions consoleOptions, string orchestrator, string @namespace, string name, [FromForm(Name = "revision")] string? revision)
    {
        var ct = context.RequestAborted;
        if (await locator.FindAsync(context.User, StackAddress.Parse(orchestrator, @namespace, name), ct).ConfigureAwait(false) is not { } target)
        {
            return Results.NotFound();
        }

        if (await RefuseViewerAsync(target, store, clock, "rollback", $"to {revision}", ct).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (!int.TryParse(revision, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            await AuditAsync(store, clock, target, "rollback", "refused", "no revision given", ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: false, "Rollback needs a revision."));
        }

        StackRollbackTarget rollback;
        try
        {
            rollback = await target.Service.PrepareRollbackAsync(target.Address.Name, number, ct).ConfigureAwait(false);
        }
        catch (StackHistoryException e)
        {
            await AuditAsync(store, clock, target, "rollback", "refused", $"to {number}: {e.Message}", ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: false, $"Not rolled back: {e.Message}"));
        }

        // The CLI's path: the revision's request, deployed as a new revision noting the rollback; detached, so the
        // page shows the services converging live.
        StackDeployResult deployed;
        try
        {
            // Held to today's policy and namespace labels, not to those the revision was deployed under.
            deployed = await target.Service.DeployAsync(rollback.Request with { Detach = true, ResolveImage = consoleOptions.ResolveImage, Policy = consoleOptions.Policy, NamespacePodSecurity = true }, StackEventSink.None, ct).ConfigureAwait(false);
        }
        catch (StackOrchestratorException e)
        {
            return await FailedAsync(store, clock, notice, target, "rollback", $"to {number}", e, ct).ConfigureAwait(false);
        }

        if (deployed.PolicyDenied || deployed.Invalid || !deployed.Collisions.IsEmpty || !deployed.Refusals.IsEmpty)
        {
            var why = deployed.PolicyCheck is { Denied: true } denied
                ? $"it violates policy {denied.Policy}: {string.Join("; ", PolicyViolationView.Of(denied).Where(v => v.Severity == "error"))}"
                : deployed.Invalid ? "it cannot run on this orchestrator as stored" : string.Join("; ", deployed.Collisions.Select(c => $"{c.Kind} {c.Name}: {c.Reason}").Concat(deployed.Refusals.Select(r => r.Message)));
            await AuditAsync(store, clock, target, "rollback", "failed", $"to {number}: {why}", ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: false, $"Not rolled back to revision {number}: {why}; nothing was changed."));
        }

        var recorded = deployed.Revision is { } n ? $" (recorded as revision {n})" : string.Empty;
        await AuditAsync(store, clock, target, "rollback", "ok", $"to {number}{recorded}", ct).ConfigureAwait(false);
        return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: true, $"Rolled back to revision {number}{recorded}."));
    }

    private static async Task<IResult> RemoveAsync(HttpContext context, StackDetailLocator locator, IConsoleStore store, StackDetailNotice notice, TimeProvider clock, string orchestrator, string @namespace, string name, [FromForm(Name = "confirm")] string? confirm)
    {
        var ct = context.RequestAborted;
        if (await locator.FindAsync(context.User, StackAddress.Parse(orchestrator, @namespace, name), ct).ConfigureAwait(false) is not { } target)
        {
            return Results.NotFound();
        }

        if (await RefuseViewerAsync(target, store, clock, "remove", string.Empty, ct).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        if (!string.Equals(confirm?.Trim(), target.Address.Name, StringComparison.Ordinal))
        {
            await AuditAsync(store, clock, target, "remove", "refused", "the name typed did not match", ct).ConfigureAwait(false);
            return Results.LocalRedirect(notice.Redirect(target.Address.Path + "/remove", ok: false, "The name typed does not match the stack's name; nothing was removed."));
        }

        StackRemoveResult removed;
        try
        {
            removed = await target.Service.RemoveAsync(target.Address.Name, new StackRemoveOptions(), StackEventSink.None, ct).ConfigureAwait(false);
        }
        catch (StackOrchestratorException e)
        {
            return await FailedAsync(store, clock, notice, target, "remove", string.Empty, e, ct).ConfigureAwait(false);
        }

        var kept = removed.KeptVolumes.IsEmpty ? string.Empty : $"; kept {string.Join(", ", removed.KeptVolumes)}";
        await AuditAsync(store, clock, target, "remove", "ok", $"removed {removed.Removed.Length} object(s){kept}", ct).ConfigureAwait(false);
        return Results.LocalRedirect("/stacks");
    }

    /// <summary>The orchestrator refused or failed: its one-line message (never a secret) is audited and shown on the stack page.</summary>
    private static async Task<IResult> FailedAsync(IConsoleStore store, TimeProvider clock, StackDetailNotice notice, StackDetailTarget target, string action, string what, StackOrchestratorException e, CancellationToken cancellationToken)
    {
        await AuditAsync(store, clock, target, action, "failed", string.IsNullOrEmpty(what) ? e.Message : $"{what}: {e.Message}", cancellationToken).ConfigureAwait(false);
        return Results.LocalRedirect(notice.Redirect(target.Address.Path, ok: false, $"{action} failed: {e.Message}"));
    }

    /// <summary>Viewers read only: a change is refused with 403 and recorded as refused.</summary>
    private static async Task<IResult?> RefuseViewerAsync(StackDetailTarget target, IConsoleStore store, TimeProvider clock, string action, string detail, CancellationToken cancellationToken)
    {
        if (target.MayChange)
        {
            return null;
        }

        await AuditAsync(store, clock, target, action, "refused", string.IsNullOrEmpty(detail) ? "the account's role is viewer" : $"{detail}: the account's role is viewer", cancellationToken).ConfigureAwait(false);
        return Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    private static Task AuditAsync(IConsoleStore store, TimeProvider clock, StackDetailTarget target, string action, string result, string detail, CancellationToken cancellationToken) =>
        store.AppendAuditAsync(new AuditEntry(clock.GetUtcNow(), target.Account.Name, action, target.Address.AuditTarget, result, detail), cancellationToken);
}

/// <summary>The logs stream's query: <c>service</c> (Compose name; empty: all), <c>tail</c> (lines per task; empty: all), <c>follow=1</c>.</summary>
internal static class StackLogQuery
{
    public const int MaxTail = 10_000;

    public static bool TryParse(string? service, string? tail, string? follow, out StackLogOptions options, out string? problem)
    {
        options = new StackLogOptions();
        problem = null;
        int? lines = null;
        if (!string.IsNullOrEmpty(tail))
        {
            if (!int.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > MaxTail)
            {
                problem = $"tail must be a number of lines from 0 to {MaxTail}";
                return false;
            }

            lines = n;
        }

        options = new StackLogOptions
        {
            Services = string.IsNullOrWhiteSpace(service) ? [] : ImmutableArray.Create(service.Trim()),
            Tail = lines,
            Follow = follow is "1" or "true" or "on",
        };
        return true;
    }
}
