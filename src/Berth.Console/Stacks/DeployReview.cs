using System.Collections.Immutable;
using Berth.Compose.Diagnostics;
using Berth.Kubernetes.Convert;
using Berth.Stacks.Events;
using Berth.StackService;

namespace Berth.Console.Stacks;

/// <summary>
/// What the review step shows before a deploy: the conversion's notes for the chosen orchestrator, the fidelity
/// report (Kubernetes: what is mapped, approximated or dropped, as <c>berth convert --explain</c>), and the changes
/// against what runs (<c>berth stack diff</c>, IStackService.PlanAsync). <see cref="Problem"/>: the orchestrator could not be read.
/// </summary>
internal sealed record DeployReviewResult(ImmutableArray<Diagnostic> Notes, ImmutableArray<FidelityEntry> Fidelity, StackPlanResult? Plan, string? Problem)
{
    public bool Deployable => Problem is null && Plan is { Invalid: false } && !Notes.Any(n => n.Severity == Severity.Error);
}

internal sealed class DeployReview(DeployTargets targets)
{
    public async Task<DeployReviewResult> ReviewAsync(DeployInput input, DeployLoad load, CancellationToken cancellationToken)
    {
        var project = load.Project ?? throw new InvalidOperationException("only a valid submission is reviewed");
        var fidelity = input.Orchestrator == StackOrchestrator.Kubernetes
            ? KubernetesConverter.Convert(project, new KubernetesConvertOptions { Namespace = input.Namespace.Length > 0 ? input.Namespace : "default", StackName = input.Name, FileContents = load.ResourceContents }).Fidelity
            : [];
        var notes = ImmutableArray.CreateBuilder<Diagnostic>();
        var sink = StackEventSink.From(e =>
        {
            if (e is StackConverted converted)
            {
                notes.AddRange(converted.Diagnostics);
            }
        });
        try
        {
            using var lease = targets.Open(input.Orchestrator, input.Namespace);
            var plan = await lease.Service.PlanAsync(Request(input, load, targets.ResolveImage), sink, cancellationToken).ConfigureAwait(false);
            return new DeployReviewResult(notes.ToImmutable(), fidelity, plan, null);
        }
        catch (Exception e) when (e is StackOrchestratorException or StackInputException or HttpRequestException or IOException or TimeoutException)
        {
            return new DeployReviewResult(notes.ToImmutable(), fidelity, null, e.Message);
        }
    }

    /// <summary>The deploy the console makes: the CLI's defaults (prune off, wait for convergence), with the submitted files' contents.</summary>
    public static StackDeployRequest Request(DeployInput input, DeployLoad load, Berth.Swarm.Apply.ImageResolution? resolveImage) =>
        new(input.Name, load.Project ?? throw new InvalidOperationException("only a valid submission is deployed"))
        {
            ResolveImage = resolveImage,
            ResourceContents = load.ResourceContents,
            Timeout = DeployJobs.DeployTimeout,
            Stability = DeployJobs.Stability,
        };
}
