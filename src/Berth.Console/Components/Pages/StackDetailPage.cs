using Berth.Console.Stacks;
using Berth.StackService;
using Microsoft.AspNetCore.Components;

namespace Berth.Console.Components.Pages;

/// <summary>
/// What every page of a stack shares: its address from the route, the stack found within the account's scope (a 404
/// page otherwise, the same whether the stack is missing or out of scope), and the notice a change redirected with.
/// </summary>
public abstract class StackDetailPage : ComponentBase
{
    [Parameter]
    public string Orchestrator { get; set; } = string.Empty;

    [Parameter]
    public string NamespaceSegment { get; set; } = string.Empty;

    [Parameter]
    public string Name { get; set; } = string.Empty;

    [CascadingParameter]
    public HttpContext? HttpContext { get; set; }

    [SupplyParameterFromQuery(Name = StackDetailNotice.Parameter)]
    public string? NoticeValue { get; set; }

    [Inject]
    internal StackDetailLocator Locator { get; set; } = null!;

    [Inject]
    internal StackDetailNotice Notices { get; set; } = null!;

    internal StackDetailTarget? Target { get; private set; }

    /// <summary>Why the orchestrator could not be read, when it could not.</summary>
    protected string? Problem { get; set; }

    protected (bool Ok, string Text)? Notice { get; private set; }

    protected CancellationToken Aborted => HttpContext?.RequestAborted ?? CancellationToken.None;

    protected string StackPath => Target?.Address.Path ?? "/stacks";

    protected string OrchestratorName => Target?.Address.Orchestrator == StackOrchestrator.Kubernetes ? "Kubernetes" : "Swarm";

    protected override async Task OnInitializedAsync()
    {
        try
        {
            Target = HttpContext is null ? null : await Locator.FindAsync(HttpContext.User, StackAddress.Parse(Orchestrator, NamespaceSegment, Name), Aborted);
        }
        catch (StackOrchestratorException e)
        {
            Problem = e.Message;
        }

        if (Target is null)
        {
            if (HttpContext is not null)
            {
                HttpContext.Response.StatusCode = Problem is null ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway;
            }

            return;
        }

        Notice = Notices.Read(NoticeValue);
        await OnStackFoundAsync();
    }

    /// <summary>The page's own reads, once the stack is found and within scope.</summary>
    protected virtual Task OnStackFoundAsync() => Task.CompletedTask;

    /// <summary>The page answers 403 (a viewer on a page that only changes things).</summary>
    protected void Forbid()
    {
        if (HttpContext is not null)
        {
            HttpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
        }
    }
}
