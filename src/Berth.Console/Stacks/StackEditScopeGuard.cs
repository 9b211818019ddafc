using Berth.Console.Components.Pages;
using Berth.Console.State;
using Berth.StackService;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components.Endpoints;

namespace Berth.Console.Stacks;

/// <summary>
/// The edit page's form posted for a stack outside the account's scope: refused with 403 and audited, as a deploy of it
/// is (<see cref="DeployEndpoints.RefuseOutOfScopeAsync"/>). The page renders no form for such a stack, and the framework
/// answers a post it finds no form for with 400 before the page's own check could run; so the check is made here,
/// after authorization and the antiforgery verdict (a missing or forged token stays the framework's 400).
/// </summary>
internal static class StackEditScopeGuard
{
    public static IApplicationBuilder UseStackEditScopeGuard(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (HttpMethods.IsPost(context.Request.Method)
            && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>()?.Type == typeof(StackEdit)
            && context.User.Identity is { IsAuthenticated: true }
            && context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: true }
            && EditedStack(context.Request.RouteValues) is { } stack)
        {
            var store = context.RequestServices.GetRequiredService<IConsoleStore>();
            if (!await DeployEndpoints.InScopeAsync(context, store, stack).ConfigureAwait(false))
            {
                await DeployEndpoints.RefuseOutOfScopeAsync(context, store, DeployInput.PathOf(stack.Orchestrator, stack.Namespace, stack.Name)).ConfigureAwait(false);
                return;
            }
        }

        await next(context).ConfigureAwait(false);
    });

    /// <summary>The stack the edit page's path names (as the page reads it), or null on the create page.</summary>
    private static StackSummary? EditedStack(RouteValueDictionary values)
    {
        if (values["Name"] is not string name)
        {
            return null;
        }

        var orchestrator = DeployInput.ParseOrchestrator(values["OrchestratorSlug"] as string) ?? StackOrchestrator.Swarm;
        var ns = orchestrator == StackOrchestrator.Kubernetes && values["NamespaceSegment"] is string segment && segment != StackAddress.NoNamespace ? segment : string.Empty;
        return new StackSummary(name, 0, orchestrator, ns);
    }
}
